package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.ListOptions;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.BaseError;
import io.nexodus.api.model.ConflictsError;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Invitation;
import io.nexodus.api.model.NotFoundError;
import io.nexodus.api.model.Organization;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.SecurityRule;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.api.model.UpdateRegKey;
import io.nexodus.api.model.UpdateSecurityGroup;
import io.nexodus.api.model.User;
import io.nexodus.api.model.ValidationError;
import io.nexodus.api.model.Vpc;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The REST API end to end through the Java client, on H2 and on PostgreSQL. */
@ParameterizedClass
@EnumSource(Db.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiIT {
    @Parameter
    Db db;

    private TestServer ts;
    private NexodusClient alice;
    private User aliceUser;

    @BeforeAll
    void start() {
        ts = TestServer.start(db);
        alice = ts.newUser("alice");
        aliceUser = alice.users().me();
    }

    @AfterAll
    void stop() {
        if (ts != null) {
            ts.close();
        }
    }

    private static ApiException apiError(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected an ApiException");
    }

    private Device register(NexodusClient c, UUID vpc, Keys k, String host) {
        return c.devices()
                .create(new AddDevice(
                        vpc, k.publicKey(), List.of(), null, false, false, host, List.of(), "linux", null));
    }

    @Test
    void everyUserHasADefaultOrganizationVpcAndSecurityGroupWithItsId() {
        UUID id = aliceUser.id();
        assertThat(alice.users().get(id)).isEqualTo(aliceUser);
        assertThat(alice.users().list(ListOptions.NONE).items()).containsExactly(aliceUser);
        Organization org = alice.organizations().get(id);
        assertThat(org.id()).isEqualTo(id);
        Vpc vpc = alice.vpcs().get(id);
        assertThat(vpc.organizationId()).isEqualTo(id);
        assertThat(vpc.ipv4Cidr()).isEqualTo("100.64.0.0/10");
        assertThat(vpc.ipv6Cidr()).isEqualTo("fd6e:6578:6f64::/64");
        assertThat(alice.securityGroups().get(id).vpcId()).isEqualTo(id);
        assertThat(apiError(() -> alice.users().get(UUID.randomUUID())).body())
                .isEqualTo(new NotFoundError("not found", "user"));
    }

    @Test
    void organizationsInvitationsAndMembers() {
        NexodusClient bob = ts.newUser("bob");
        User bobUser = bob.users().me();
        String name = "team-" + UUID.randomUUID();
        Organization team = alice.organizations().create(new AddOrganization(name, "a team"));
        ApiException dup = apiError(() -> bob.organizations().create(new AddOrganization(name, "again")));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.conflictingId()).contains(team.id());

        assertThat(apiError(() -> bob.organizations().get(team.id())).status()).isEqualTo(404);
        ApiException both = apiError(
                () -> alice.invitations().create(new AddInvitation(bobUser.id(), "x@example.com", team.id(), null)));
        assertThat(both.status()).isEqualTo(400);
        assertThat(apiError(() -> bob.invitations().create(new AddInvitation(aliceUser.id(), null, team.id(), null)))
                        .status())
                .isEqualTo(404);
        Invitation inv = alice.invitations().create(new AddInvitation(bobUser.id(), null, team.id(), null));
        assertThat(inv.roles()).containsExactly("member");
        assertThat(inv.organization().name()).isEqualTo(name);
        assertThat(inv.from().id()).isEqualTo(aliceUser.id());
        assertThat(inv.expiresAt()).isAfter(Instant.now().plusSeconds(6 * 24 * 3600));
        assertThat(apiError(() -> alice.invitations().create(new AddInvitation(bobUser.id(), null, team.id(), null)))
                        .conflictingId())
                .contains(inv.id());
        assertThat(bob.invitations().list(ListOptions.NONE).items())
                .extracting(Invitation::id)
                .contains(inv.id());
        bob.invitations().accept(inv.id());
        assertThat(bob.organizations().get(team.id())).isEqualTo(team);
        assertThat(alice.organizations().listUsers(team.id(), ListOptions.NONE).items())
                .anySatisfy(m -> {
                    assertThat(m.userId()).isEqualTo(bobUser.id());
                    assertThat(m.roles()).containsExactly("member");
                    assertThat(m.user().username()).isEqualTo(bobUser.username());
                });
        assertThat(apiError(() -> bob.organizations().delete(team.id())).status())
                .isEqualTo(403);
        assertThat(apiError(() -> bob.organizations().removeUser(team.id(), aliceUser.id()))
                        .status())
                .isEqualTo(403);

        // invitation by e-mail of a user that exists (verified e-mail identity)
        NexodusClient carol = ts.newUser("carol");
        String carolName = carol.users().me().username();
        Invitation byMail = alice.invitations()
                .create(new AddInvitation(
                        null, carolName.toUpperCase(Locale.ROOT) + "@EXAMPLE.COM", team.id(), List.of("owner")));
        assertThat(carol.invitations().get(byMail.id()).email()).isEqualTo(carolName + "@example.com");
        carol.invitations().delete(byMail.id());
        assertThat(apiError(() -> alice.invitations().get(byMail.id())).status())
                .isEqualTo(404);

        alice.organizations().removeUser(team.id(), bobUser.id());
        assertThat(apiError(() -> bob.organizations().get(team.id())).status()).isEqualTo(404);
        assertThat(alice.organizations().delete(team.id()).id()).isEqualTo(team.id());
        assertThat(apiError(() -> alice.organizations().get(team.id())).status())
                .isEqualTo(404);
        ApiException dflt = apiError(() -> alice.organizations().delete(aliceUser.id()));
        assertThat(dflt.status()).isEqualTo(400);
        // the name is free again
        assertThat(bob.organizations().create(new AddOrganization(name, "")).name())
                .isEqualTo(name);
    }

    @Test
    void vpcsValidateCidrsAndAllocateFromTheirPools() {
        ApiException bad =
                apiError(() -> alice.vpcs().create(new AddVpc(aliceUser.id(), "x", true, "10.1.0.0/33", null)));
        assertThat(bad.body()).isInstanceOf(ValidationError.class);
        assertThat(bad.field()).contains("ipv4_cidr");
        assertThat(apiError(() -> alice.vpcs().create(new AddVpc(aliceUser.id(), "x", false, "10.1.0.0/16", null)))
                        .field())
                .contains("ipv4_cidr");
        assertThat(apiError(() -> alice.vpcs().create(new AddVpc(null, "x", false, null, null)))
                        .field())
                .contains("organization_id");
        Vpc vpc = alice.vpcs().create(new AddVpc(aliceUser.id(), "private", true, "10.20.30.5/24", null));
        assertThat(vpc.ipv4Cidr()).isEqualTo("10.20.30.0/24");
        assertThat(vpc.ipv6Cidr()).startsWith("fd").endsWith("::/64");
        assertThat(alice.vpcs().get(vpc.id())).isEqualTo(vpc);

        Device d1 = register(alice, vpc.id(), Keys.generate(), "d1");
        Device d2 = alice.devices()
                .create(new AddDevice(
                        vpc.id(),
                        Keys.generate().publicKey(),
                        List.of(),
                        List.of(new TunnelIp("10.20.30.77", null)),
                        false,
                        false,
                        "d2",
                        List.of(),
                        "linux",
                        null));
        Device d3 = alice.devices()
                .create(new AddDevice(
                        vpc.id(),
                        Keys.generate().publicKey(),
                        List.of(),
                        List.of(new TunnelIp("10.20.30.77", null)),
                        false,
                        false,
                        "d3",
                        List.of(),
                        "linux",
                        null));
        assertThat(d1.ipv4TunnelIps()).containsExactly(new TunnelIp("10.20.30.1", "10.20.30.0/24"));
        assertThat(d2.ipv4TunnelIps().get(0).address()).isEqualTo("10.20.30.77");
        assertThat(d3.ipv4TunnelIps().get(0).address()).isEqualTo("10.20.30.2"); // requested one taken: lowest free
        assertThat(d1.allowedIps())
                .containsExactly("10.20.30.1/32", d1.ipv6TunnelIps().get(0).address() + "/128");
        alice.devices().delete(d1.id());
        Device d4 = register(alice, vpc.id(), Keys.generate(), "d4");
        assertThat(d4.ipv4TunnelIps().get(0).address()).isEqualTo("10.20.30.1"); // released address reused
        // advertised CIDRs: canonical, no overlap with the VPC or another device
        Device r1 = alice.devices()
                .update(d4.id(), UpdateDevice.empty().withAdvertiseCidrs(List.of("192.168.7.9/24", "0.0.0.0/0")));
        assertThat(r1.advertiseCidrs()).containsExactly("192.168.7.0/24", "0.0.0.0/0");
        // another device's network: 409 naming that device (its id only on an update, see Ipam.setAdvertised)
        ApiException taken = apiError(() ->
                alice.devices().update(d2.id(), UpdateDevice.empty().withAdvertiseCidrs(List.of("192.168.7.128/25"))));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.conflictingId()).contains(d4.id());
        assertThat(taken.error()).contains("192.168.7.128/25 overlaps 192.168.7.0/24 advertised by device " + d4.id());
        ApiException takenAtRegistration = apiError(() -> alice.devices()
                .create(new AddDevice(
                        vpc.id(),
                        Keys.generate().publicKey(),
                        List.of("192.168.7.0/26"),
                        null,
                        false,
                        false,
                        "d5",
                        List.of(),
                        "linux",
                        null)));
        assertThat(takenAtRegistration.status()).isEqualTo(409);
        assertThat(takenAtRegistration.conflictingId()).isEmpty();
        assertThat(takenAtRegistration.error()).contains("advertised by device " + d4.id());
        assertThat(apiError(() -> alice.devices()
                                .update(d2.id(), UpdateDevice.empty().withAdvertiseCidrs(List.of("10.20.0.0/16"))))
                        .field())
                .contains("advertise_cidrs");
        assertThat(alice.devices()
                        .update(d2.id(), UpdateDevice.empty().withAdvertiseCidrs(List.of("0.0.0.0/0")))
                        .advertiseCidrs())
                .containsExactly("0.0.0.0/0");
        assertThat(apiError(() -> alice.vpcs().delete(vpc.id())).status()).isEqualTo(400); // devices left
        for (Device d : List.of(d2, d3, d4)) {
            alice.devices().delete(d.id());
        }
        assertThat(alice.vpcs().delete(vpc.id()).id()).isEqualTo(vpc.id());
        assertThat(apiError(() -> alice.vpcs().delete(aliceUser.id())).status()).isEqualTo(400); // default VPC
    }

    @Test
    void devicesConflictsTokensAndUpdates() throws Exception {
        Keys k = Keys.generate();
        Device d = register(alice, aliceUser.id(), k, "laptop");
        assertThat(d.bearerToken()).isNotBlank();
        ApiException conflict = apiError(() -> register(alice, aliceUser.id(), k, "again"));
        assertThat(conflict.body()).isEqualTo(new ConflictsError(d.id().toString(), "resource already exists"));
        String dt = SealedToken.open(d.bearerToken(), k.privateKey());
        assertThat(dt).startsWith("DT:");
        NexodusClient asDevice = ts.withToken(dt);
        assertThat(asDevice.devices().get(d.id()).id()).isEqualTo(d.id());
        Device patched = asDevice.devices()
                .update(d.id(), UpdateDevice.empty().withHostname("renamed").withSymmetricNat(true));
        assertThat(patched.hostname()).isEqualTo("renamed");
        assertThat(patched.symmetricNat()).isTrue();
        assertThat(patched.revision()).isGreaterThan(d.revision());
        assertThat(SealedToken.open(patched.bearerToken(), k.privateKey())).isEqualTo(dt);
        assertThat(apiError(() -> asDevice.devices().delete(d.id())).status()).isEqualTo(403);
        // stale revision: optimistic concurrency
        ApiException stale = apiError(() -> alice.devices()
                .update(d.id(), new UpdateDevice(null, null, null, "x", null, d.revision(), null, null)));
        assertThat(stale.status()).isEqualTo(409);
        // a member of the organization sees the device but not its token; a stranger does not see it at all
        NexodusClient member = ts.newUser("member");
        member.invitations()
                .accept(alice.invitations()
                        .create(new AddInvitation(member.users().me().id(), null, aliceUser.id(), null))
                        .id());
        Device seen = member.devices().get(d.id());
        assertThat(seen.publicKey()).isEqualTo(k.publicKey());
        assertThat(seen.bearerToken()).isNull();
        assertThat(apiError(() -> member.devices()
                                .update(d.id(), UpdateDevice.empty().withHostname("x")))
                        .status())
                .isEqualTo(403);
        NexodusClient other = ts.newUser("other");
        assertThat(apiError(() -> other.devices().get(d.id())).status()).isEqualTo(404);
        assertThat(alice.service().userInfo().preferredUsername()).isEqualTo(aliceUser.username());
        assertThat(alice.service().deviceCerts().path("keys").isArray()).isTrue();
        // device token sees its VPC's devices
        assertThat(asDevice.vpcs().devices(aliceUser.id(), ListOptions.NONE).items())
                .extracting(Device::id)
                .contains(d.id());
        assertThat(asDevice.vpcs().devices(aliceUser.id(), ListOptions.NONE).items())
                .allSatisfy(x -> assertThat(x.bearerToken()).isNull());
        alice.devices().delete(d.id());
        assertThat(apiError(() -> asDevice.devices().get(d.id())).status())
                .isEqualTo(401); // token died with the device
        // the deleted device's key does not come back by itself (an agent that was offline tries exactly this)
        ApiException deleted = apiError(() -> register(alice, aliceUser.id(), k, "laptop"));
        assertThat(deleted.status()).isEqualTo(410);
        assertThat(deleted.isDeviceDeleted()).isTrue();
        assertThat(deleted.reason())
                .startsWith("device deleted: device " + d.id())
                .contains("by user " + aliceUser.id())
                .endsWith("register a new key");
        assertThat(register(alice, aliceUser.id(), Keys.generate(), "laptop").id())
                .isNotEqualTo(d.id());
        assertThat(apiError(() -> alice.devices()
                                .create(new AddDevice(
                                        aliceUser.id(), "not-a-key", null, null, false, false, "x", null, "", null)))
                        .field())
                .contains("public_key");
    }

    @Test
    void registrationKeys() {
        RegKey key = alice.regKeys()
                .create(new AddRegKey(
                        aliceUser.id(),
                        null,
                        "ci",
                        false,
                        null,
                        null,
                        Map.of("tag", JsonNodeFactory.instance.textNode("x"))));
        assertThat(key.bearerToken()).startsWith("RK:");
        assertThat(alice.regKeys().get(key.id()).bearerToken()).isNull(); // stored hashed: shown once
        NexodusClient rk = ts.withToken(key.bearerToken());
        assertThat(rk.regKeys().me().id()).isEqualTo(key.id());
        assertThat(rk.vpcs().get(aliceUser.id()).id()).isEqualTo(aliceUser.id());
        Keys k1 = Keys.generate();
        Device d = register(rk, aliceUser.id(), k1, "from-rk");
        assertThat(d.ownerId()).isEqualTo(aliceUser.id());
        assertThat(d.bearerToken()).isNotBlank();
        assertThat(rk.devices()
                        .update(d.id(), UpdateDevice.empty().withHostname("rk-renamed"))
                        .hostname())
                .isEqualTo("rk-renamed");
        rk.devices().putMetadata(d.id(), "relay", Map.of("type", "wireguard"));
        // a device deleted while its agent was away: the registration key cannot bring its key back either
        Keys k2 = Keys.generate();
        Device removed = register(rk, aliceUser.id(), k2, "offline-agent");
        alice.devices().delete(removed.id());
        assertThat(apiError(() -> register(rk, aliceUser.id(), k2, "offline-agent"))
                        .isDeviceDeleted())
                .isTrue();
        Device mine = register(alice, aliceUser.id(), Keys.generate(), "not-from-rk");
        assertThat(apiError(() -> rk.devices()
                                .update(mine.id(), UpdateDevice.empty().withHostname("x")))
                        .status())
                .isEqualTo(404);
        assertThat(apiError(() -> rk.devices().list(ListOptions.NONE)).status()).isEqualTo(403);

        RegKey once = alice.regKeys()
                .create(new AddRegKey(
                        aliceUser.id(), null, "once", true, Instant.now().plusSeconds(600), null, null));
        assertThat(once.deviceId()).isNotNull();
        NexodusClient rk1 = ts.withToken(once.bearerToken());
        assertThat(register(rk1, aliceUser.id(), Keys.generate(), "single").id())
                .isEqualTo(once.deviceId());
        ApiException exhausted = apiError(() -> register(rk1, aliceUser.id(), Keys.generate(), "second"));
        assertThat(exhausted.status()).isEqualTo(400);
        assertThat(exhausted.getMessage()).contains("single use reg key exhausted");

        RegKey updated =
                alice.regKeys().update(once.id(), new UpdateRegKey("renamed", UpdateRegKey.NO_EXPIRY, null, null));
        assertThat(updated.description()).isEqualTo("renamed");
        assertThat(updated.expiresAt()).isNull();
        assertThat(apiError(() -> alice.regKeys()
                                .create(new AddRegKey(
                                        aliceUser.id(),
                                        null,
                                        "past",
                                        false,
                                        Instant.now().minusSeconds(5),
                                        null,
                                        null)))
                        .field())
                .contains("expires_at");
        assertThat(alice.regKeys().list(ListOptions.NONE).items())
                .extracting(RegKey::id)
                .contains(key.id(), once.id());
        alice.regKeys().delete(key.id());
        ApiException gone = apiError(() -> rk.regKeys().me());
        assertThat(gone.status()).isEqualTo(401);
        assertThat(gone.body()).isEqualTo(new BaseError("invalid reg key"));
    }

    @Test
    void deviceMetadataHoldsAnyJsonValue() {
        Device d = register(alice, aliceUser.id(), Keys.generate(), "meta");
        var f = JsonNodeFactory.instance;
        alice.devices()
                .putMetadata(
                        d.id(), "relay", Map.of("type", "derp", "hostname", "relay.example", "certmodemanual", true));
        alice.devices().putMetadata(d.id(), "n", 42);
        alice.devices().putMetadata(d.id(), "s", "text");
        alice.devices().putMetadata(d.id(), "list", List.of(1, 2));
        DeviceMetadata m = alice.devices().getMetadata(d.id(), "relay");
        assertThat(m.value().path("certmodemanual").asBoolean()).isTrue();
        assertThat(alice.devices().getMetadata(d.id(), "n").value()).isEqualTo(f.numberNode(42));
        assertThat(alice.devices().metadata(d.id(), null))
                .extracting(DeviceMetadata::key)
                .containsExactly("list", "n", "relay", "s");
        assertThat(alice.devices().metadata(d.id(), "re"))
                .extracting(DeviceMetadata::key)
                .containsExactly("relay");
        assertThat(alice.vpcs().metadata(aliceUser.id(), "relay", null))
                .extracting(DeviceMetadata::deviceId)
                .contains(d.id());
        assertThat(alice.vpcs().metadata(aliceUser.id(), null, List.of("l", "s")))
                .extracting(DeviceMetadata::key)
                .contains("list", "s")
                .doesNotContain("n");
        alice.devices().deleteMetadata(d.id(), "n");
        assertThat(apiError(() -> alice.devices().getMetadata(d.id(), "n")).body())
                .isEqualTo(new NotFoundError("not found", "device metadata"));
        assertThat(apiError(() -> alice.devices().deleteMetadata(d.id(), "n")).status())
                .isEqualTo(404);
        alice.devices().clearMetadata(d.id());
        assertThat(alice.devices().metadata(d.id(), null)).isEmpty();
        alice.devices().delete(d.id());
    }

    @Test
    void securityGroupsValidateRulesAsUpstream() {
        UUID vpc = aliceUser.id();
        record Case(SecurityRule rule, String field) {}
        for (Case c : List.of(
                new Case(new SecurityRule("sctp", 0, 0, List.of()), "protocol"),
                new Case(new SecurityRule("tcp", 10, 5, List.of()), "port_range"),
                new Case(new SecurityRule("tcp", 0, 70000, List.of()), "port_range"),
                new Case(new SecurityRule("icmp", 1, 2, List.of()), "port_range"),
                new Case(new SecurityRule("tcp", 22, 22, List.of("10.0.0.0/33")), "ip_range"),
                new Case(new SecurityRule("tcp", 22, 22, List.of("10.0.0.9-10.0.0.1")), "ip_range"),
                new Case(new SecurityRule("ipv4", 0, 0, List.of("fd00::1")), "ip_range"),
                new Case(new SecurityRule("udp", 0, 0, List.of("example.com")), "ip_range"))) {
            ApiException e = apiError(() ->
                    alice.securityGroups().create(new AddSecurityGroup("bad", vpc, List.of(c.rule()), List.of())));
            assertThat(e.status()).as(c.toString()).isEqualTo(422);
            assertThat(e.field()).as(c.toString()).contains(c.field());
        }
        SecurityGroup g = alice.securityGroups()
                .create(new AddSecurityGroup(
                        "web",
                        vpc,
                        List.of(new SecurityRule(
                                "TCP", 80, 443, List.of("10.0.0.0/8", "100.64.0.1-100.64.0.9", "fd00::1", ""))),
                        List.of(new SecurityRule("", 0, 0, null))));
        assertThat(g.inboundRules().get(0).ipProtocol()).isEqualTo("tcp");
        assertThat(g.outboundRules().get(0).ipRanges()).isEmpty();
        SecurityGroup u = alice.securityGroups().update(g.id(), new UpdateSecurityGroup("web2", null, List.of()));
        assertThat(u.description()).isEqualTo("web2");
        assertThat(u.inboundRules()).isEqualTo(g.inboundRules());
        assertThat(u.outboundRules()).isEmpty();
        assertThat(u.revision()).isGreaterThan(g.revision());
        Device d = alice.devices()
                .create(new AddDevice(
                        vpc, Keys.generate().publicKey(), null, null, false, false, "sg", null, "linux", g.id()));
        assertThat(d.securityGroupId()).isEqualTo(g.id()); // upstream ignored the requested group
        assertThat(apiError(() -> alice.securityGroups().delete(g.id())).status())
                .isEqualTo(400);
        alice.devices().delete(d.id());
        assertThat(alice.securityGroups().delete(g.id()).id()).isEqualTo(g.id());
        assertThat(apiError(() -> alice.securityGroups().delete(vpc)).status()).isEqualTo(400);
        assertThat(alice.vpcs().securityGroups(vpc, ListOptions.NONE).items())
                .extracting(SecurityGroup::id)
                .containsExactly(vpc);
    }

    @Test
    void listParametersSortFilterAndRange() {
        NexodusClient dave = ts.newUser("dave");
        UUID vpc = dave.users().me().id();
        for (String h : List.of("c", "a", "b", "d")) {
            register(dave, vpc, Keys.generate(), h);
        }
        var page = dave.devices().list(ListOptions.NONE.sort("hostname", true).range(1, 2));
        assertThat(page.totalCount()).isEqualTo(4);
        assertThat(page.items()).extracting(Device::hostname).containsExactly("c", "b");
        assertThat(dave.devices().list(ListOptions.NONE.filter("hostname", "b")).items())
                .extracting(Device::hostname)
                .containsExactly("b");
        assertThat(dave.devices()
                        .list(ListOptions.NONE.filter("vpc_id", vpc.toString()))
                        .totalCount())
                .isEqualTo(4);
        assertThat(apiError(() -> dave.devices().list(ListOptions.NONE.sort("no_such_field", false)))
                        .field())
                .contains("sort");
        assertThat(apiError(() -> dave.devices().list(ListOptions.NONE.filter("nope", 1)))
                        .field())
                .contains("filter");
    }

    @Test
    void errorsAreJsonWithTheDocumentedShapes() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        record R(String method, String path, String body, int status, String contains) {}
        for (R r : List.of(
                new R("GET", "/api/vpcs", null, 401, "\"error\""),
                new R("GET", "/no/such/route", null, 404, "\"resource\":\"route\""),
                new R("PUT", "/api/vpcs", "{}", 405, "\"reason\""),
                new R("GET", "/private/live", null, 200, "\"UP\""))) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ts.url() + r.path()));
            b.method(
                    r.method(),
                    r.body() == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(r.body()));
            HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).as(r.toString()).isEqualTo(r.status());
            assertThat(resp.headers().firstValue("Content-Type"))
                    .as(r.toString())
                    .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            assertThat(resp.body())
                    .as(r.toString())
                    .contains(r.contains())
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ");
        }
        ApiException notUuid = apiError(() -> alice.devices().get(null));
        assertThat(notUuid.body()).isEqualTo(new ValidationError("path parameter invalid", "id", "not a UUID"));
    }
}
