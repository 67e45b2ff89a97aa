package io.nexodus.nexctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.WatchConnection;
import io.nexodus.api.model.AddAccount;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.server.NexodusServer;
import io.nexodus.server.ServerConfig;
import io.nexodus.testkit.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nexctl against the real service (in-process {@link NexodusServer}, embedded database, free loopback port), run
 * through {@link NexctlRunner} exactly as {@code bin/nexctl} runs it: login (password grant, cached token, refresh with
 * rotation), every resource family with JSON and column output, the error paths and their exit codes, registration
 * keys whose printed {@code --reg-key} flag registers a device that a watch stream sees, and TLS with the service's
 * self-signed CA.
 */
class NexctlIT {
    static {
        Logger.getLogger("").setLevel(Level.WARNING); // Helidon's INFO lines
    }

    static final String ADMIN_PASSWORD = "admin-password-for-tests"; // ServerConfig.forTests

    @TempDir
    static Path tmp;

    static NexodusServer service;
    static String url;
    static String banner;
    static NexctlRunner admin;
    static String adminId;

    @BeforeAll
    static void startService() throws IOException {
        service = new NexodusServer(ServerConfig.forTests(tmp.resolve("service")), Clock.systemUTC(), List.of());
        service.start();
        url = service.url();
        banner = banner(service);
        admin = runner("admin");
        ok(admin.runWithStdin(ADMIN_PASSWORD + "\n", "login", "--username", "admin", "--password-stdin"));
        adminId = json(ok(admin.run("user", "get-current", "-o", "json")))
                .get("id")
                .asText();
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    // ---- login -------------------------------------------------------------------------------------------------

    @Test
    void theBannersLoginCommandWorksTheTokenIsCachedAndRefreshedWithRotation() throws Exception {
        NexctlRunner me = new NexctlRunner(Files.createDirectories(tmp.resolve("login-home"))); // no NEXCTL_SERVICE_URL
        String[] printed = loginCommandFrom(banner);
        assertThat(printed).containsExactly("nexctl", "--service-url", url, "login", "--username", "admin");
        NexctlRunner.Result r = me.runWithStdin(
                ADMIN_PASSWORD + "\n", args(Arrays.copyOfRange(printed, 1, printed.length), "--password-stdin"));
        ok(r);
        assertThat(r.out()).isEqualTo("Logged in to " + url + " as admin (user id " + adminId + ").\n");
        Path credentials = me.configDir().resolve("credentials.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)))
                .isEqualTo("rw-------");
        JsonNode first =
                Json.mapper().readTree(credentials.toFile()).get("services").get(url);
        Path beforeRefresh = Files.copy(credentials, tmp.resolve("credentials-before-refresh.json"));

        // later commands use the cached token: no new login, same tokens
        JsonNode user = json(ok(me.run("--service-url", url, "user", "get-current", "-o", "json")));
        assertThat(user.get("id").asText()).isEqualTo(adminId);
        assertThat(user.get("username").asText()).isEqualTo("admin");
        assertThat(Files.readString(credentials)).isEqualTo(Files.readString(beforeRefresh));

        // 59 min 40 s later the 1-hour access token is inside the refresh margin: the next command refreshes it first
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(59).plusSeconds(40));
        me.clock(later).env("NEXCTL_SERVICE_URL", url);
        ok(me.run("vpc", "list", "-o", "json"));
        JsonNode refreshed =
                Json.mapper().readTree(credentials.toFile()).get("services").get(url);
        assertThat(refreshed.get("access_token").asText())
                .isNotEqualTo(first.get("access_token").asText());
        assertThat(refreshed.get("refresh_token").asText())
                .isNotEqualTo(first.get("refresh_token").asText());

        // `nexctl token` hands out that token, and the API takes it (this is how the README's curl watch gets one)
        String token = ok(me.run("token")).out().strip();
        assertThat(token).isEqualTo(refreshed.get("access_token").asText());
        assertThat(get("/api/users/me", token).statusCode()).isEqualTo(200);

        // refresh tokens are single use: a nexctl still holding the old one must log in again (exit 3)
        NexctlRunner stale = runner("stale-home").clock(later);
        Files.createDirectories(stale.configDir());
        Files.copy(beforeRefresh, stale.configDir().resolve("credentials.json"));
        r = stale.run("vpc", "list");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.AUTH);
        assertThat(r.err())
                .isEqualTo("error: the session for " + url
                        + " could not be renewed (invalid_grant): run `nexctl login`\n");

        // logout, then every service command says how to log in (exit 3)
        assertThat(ok(me.run("logout")).out()).isEqualTo("Logged out of " + url + ".\n");
        r = me.run("vpc", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(r.err())
                .isEqualTo("error: not logged in to " + url
                        + ": run `nexctl login` (or pass --username and --password)\n");
        assertThat(r.out()).isEmpty();

        // a wrong password is a failed login (exit 3), and nothing is cached
        r = me.runWithStdin("not-the-password\n", "login", "--username", "admin", "--password-stdin");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.AUTH);
        assertThat(r.err()).isEqualTo("error: login failed: invalid username or password\n");
        assertThat(me.run("token").exitCode()).isEqualTo(ExitCodes.AUTH);

        // one-shot credentials work without a cached login
        assertThat(ids(ok(me.run("--username", "admin", "--password", ADMIN_PASSWORD, "vpc", "list", "-o", "json"))))
                .contains(adminId); // the default VPC has the user's id
    }

    // ---- resources ---------------------------------------------------------------------------------------------

    @Test
    void userAndFeatureFlags() {
        assertRow(ok(admin.run("user", "get-current")), "USER ID\\s+USER NAME", Pattern.quote(adminId) + "\\s+admin");
        assertThat(ids(ok(admin.run("user", "list", "-o", "json")))).containsExactly(adminId);

        JsonNode flags = json(ok(admin.run("feature-flag", "list", "-o", "json")));
        assertThat(flags.toString()).contains("multi-organization").contains("security-groups");
        assertRow(
                ok(admin.run("feature-flag", "get", "--name", "security-groups")),
                "NAME\\s+ENABLED",
                "security-groups\\s+true");
        NexctlRunner.Result r = admin.run("feature-flag", "get", "--name", "no-such-flag");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).startsWith("error: not found, status: 404");
    }

    @Test
    void anAdministratorCreatesALoginAccountThatCanLogIn() throws Exception {
        String name = "carol-" + UUID.randomUUID().toString().substring(0, 8);
        ok(admin.runWithStdin("carol's long password", "account", "create", name, "--password-stdin"));
        assertThat(ok(admin.run("account", "list")).out()).contains(name);
        NexctlRunner carol = runner("account-" + name);
        ok(carol.runWithStdin("carol's long password", "login", "--username", name, "--password-stdin"));
        assertRow(ok(carol.run("user", "get-current")), "USER ID\\s+USER NAME", ".*\\s+" + Pattern.quote(name));

        // too short a password is the service's 400, naming the field; not an account
        NexctlRunner.Result r = admin.runWithStdin("short", "account", "create", name + "x", "--password-stdin");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("password");
        // only administrators manage accounts
        assertThat(carol.run("account", "list").exitCode()).isNotZero();
    }

    @Test
    void organizationsMembersAndInvitations() throws Exception {
        String name = "acme-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode org = json(
                ok(admin.run("organization", "create", "--name", name, "--description", "Acme Inc", "-o", "json")));
        String orgId = org.get("id").asText();
        assertThat(org.get("name").asText()).isEqualTo(name);
        assertThat(org.get("description").asText()).isEqualTo("Acme Inc");
        assertRow(
                ok(admin.run("organization", "get", "--organization-id", orgId)),
                "ORGANIZATION ID\\s+NAME\\s+DESCRIPTION",
                Pattern.quote(orgId) + "\\s+" + name + "\\s+Acme Inc");
        assertThat(ids(ok(admin.run("organization", "list", "-o", "json")))).contains(orgId, adminId);

        // 409: the name is taken; the message carries the existing organization's id
        NexctlRunner.Result r = admin.run("organization", "create", "--name", name);
        assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).isEqualTo("error: resource already exists, status: 409, id: " + orgId + "\n");
        assertThat(r.out()).isEmpty();

        // a second user, invited into the organization, accepts
        String alice = "alice-" + UUID.randomUUID().toString().substring(0, 8);
        adminApi().accounts().create(new AddAccount(alice, "alice-password", "Alice", alice + "@example.com"));
        NexctlRunner aliceCli = runner(alice);
        ok(aliceCli.runWithStdin("alice-password", "login", "--username", alice, "--password-stdin"));
        String aliceId = json(ok(aliceCli.run("user", "get-current", "-o", "json")))
                .get("id")
                .asText();

        JsonNode inv = json(
                ok(admin.run("invitation", "create", "--user-id", aliceId, "--organization-id", orgId, "-o", "json")));
        String invId = inv.get("id").asText();
        assertThat(inv.get("organization_id").asText()).isEqualTo(orgId);
        r = admin.run("invitation", "create", "--user-id", aliceId, "--organization-id", orgId);
        assertThat(r.err()).isEqualTo("error: resource already exists, status: 409, id: " + invId + "\n");
        assertThat(ids(ok(aliceCli.run("invitation", "list", "-o", "json")))).containsExactly(invId);
        assertThat(json(ok(aliceCli.run("invitation", "get", "--inv-id", invId, "-o", "json")))
                        .get("id")
                        .asText())
                .isEqualTo(invId);
        assertRow(
                ok(aliceCli.run("invitation", "list")),
                "INVITATION ID\\s+ORGANIZATION\\s+FROM\\s+EMAIL\\s+ROLES\\s+EXPIRES AT",
                Pattern.quote(invId) + "\\s+.*");
        ok(aliceCli.run("invitation", "accept", "--inv-id", invId));
        assertThat(ids(ok(aliceCli.run("organization", "list", "-o", "json")))).contains(orgId);
        JsonNode members =
                json(ok(admin.run("organization", "users", "list", "--organization-id", orgId, "-o", "json")));
        assertThat(members.findValuesAsText("user_id")).containsExactlyInAnyOrder(adminId, aliceId);

        // an invitation by e-mail, withdrawn
        String inv2 = json(ok(admin.run(
                        "invitation",
                        "create",
                        "--email",
                        "bob@example.com",
                        "--organization-id",
                        orgId,
                        "-o",
                        "json")))
                .get("id")
                .asText();
        ok(admin.run("invitation", "delete", "--inv-id", inv2));
        assertNotFound(admin.run("invitation", "get", "--inv-id", inv2), "invitation");

        // the owner removes the member, then deletes the organization
        ok(admin.run("organization", "users", "delete", "--organization-id", orgId, "--user-id", aliceId));
        assertThat(ids(ok(aliceCli.run("organization", "list", "-o", "json")))).doesNotContain(orgId);
        JsonNode deleted = json(ok(admin.run("organization", "delete", "--organization-id", orgId, "-o", "json")));
        assertThat(deleted.get("id").asText()).isEqualTo(orgId);
        assertNotFound(admin.run("organization", "get", "--organization-id", orgId), "organization");
    }

    @Test
    void vpcSecurityGroupRegKeyAndDeviceLifecycle() throws Exception {
        // VPC
        JsonNode vpc = json(
                ok(admin.run("vpc", "create", "--description", "lab", "--ipv4-cidr", "10.77.0.0/16", "-o", "json")));
        String vpcId = vpc.get("id").asText();
        String v6 = vpc.get("ipv6_cidr").asText();
        assertThat(vpc.get("organization_id").asText()).isEqualTo(adminId);
        assertThat(vpc.get("private_cidr").asBoolean()).isTrue();
        assertThat(vpc.get("ipv4_cidr").asText()).isEqualTo("10.77.0.0/16");
        assertThat(v6).startsWith("fd").endsWith("::/64").doesNotContainPattern("(^|:)0[0-9a-f]"); // canonical text
        assertRow(
                ok(admin.run("vpc", "get", "--vpc-id", vpcId)),
                "VPC ID\\s+ORGANIZATION ID\\s+IPV4 CIDR\\s+IPV6 CIDR\\s+DESCRIPTION",
                Pattern.quote(vpcId) + "\\s+" + adminId + "\\s+10\\.77\\.0\\.0/16\\s+" + Pattern.quote(v6) + "\\s+lab");
        assertThat(ids(ok(admin.run("vpc", "list", "-o", "json")))).contains(vpcId, adminId);
        assertThat(json(ok(admin.run("vpc", "update", "--vpc-id", vpcId, "--description", "lab 2", "-o", "json")))
                        .get("description")
                        .asText())
                .isEqualTo("lab 2");
        NexctlRunner.Result r = admin.run("vpc", "create", "--ipv4-cidr", "10.77.0.0/33");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).startsWith("error: request field is invalid, status: 400, field: ipv4_cidr, reason: ");

        // security group, with a 422 for a rule the service refuses
        String rules = "[{\"ip_protocol\":\"tcp\",\"from_port\":80,\"to_port\":443,\"ip_ranges\":[\"10.0.0.0/8\"]}]";
        JsonNode sg = json(ok(admin.run(
                "security-group",
                "create",
                "--vpc-id",
                vpcId,
                "--description",
                "web",
                "--inbound-rules",
                rules,
                "-o",
                "json")));
        String sgId = sg.get("id").asText();
        assertThat(sg.get("vpc_id").asText()).isEqualTo(vpcId);
        assertThat(sg.get("inbound_rules").get(0).get("to_port").asInt()).isEqualTo(443);
        assertRow(
                ok(admin.run("security-group", "get", "--security-group-id", sgId)),
                "SECURITY GROUP ID\\s+DESCRIPTION\\s+VPC ID\\s+INBOUND RULES\\s+OUTBOUND RULES",
                Pattern.quote(sgId) + "\\s+web\\s+" + vpcId + "\\s+tcp 80-443 from 10\\.0\\.0\\.0/8");
        assertThat(ids(ok(admin.run("security-group", "list", "-o", "json")))).contains(sgId);
        JsonNode sg2 = json(ok(admin.run(
                "security-group",
                "update",
                "--security-group-id",
                sgId,
                "--description",
                "web 2",
                "--outbound-rules",
                "[{\"ip_protocol\":\"udp\",\"from_port\":53,\"to_port\":53}]",
                "-o",
                "json")));
        assertThat(sg2.get("description").asText()).isEqualTo("web 2");
        assertThat(sg2.get("outbound_rules").get(0).get("ip_protocol").asText()).isEqualTo("udp");
        r = admin.run(
                "security-group",
                "create",
                "--vpc-id",
                vpcId,
                "--inbound-rules",
                "[{\"ip_protocol\":\"tcp\",\"from_port\":443,\"to_port\":80}]");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err())
                .isEqualTo("error: request field is invalid, status: 422, field: port_range, "
                        + "reason: ports must both be 0 (any) or 1 <= from_port <= to_port <= 65535, got 443-80\n");

        // registration key: `create` prints the flag for nexd once; the token in it registers a device
        r = ok(admin.run(
                "reg-key",
                "create",
                "--vpc-id",
                vpcId,
                "--security-group-id",
                sgId,
                "--description",
                "lab key",
                "--expiration",
                "1h"));
        assertThat(r.out().lines().findFirst().orElseThrow()).matches("TOKEN ID\\s+DESCRIPTION\\s+CLI FLAGS");
        Matcher flag = Pattern.compile("^(\\S+)\\s+lab key\\s+--reg-key (\\S+)#(RK:\\S+)$", Pattern.MULTILINE)
                .matcher(r.out());
        assertThat(flag.find()).as(r.out()).isTrue();
        String keyId = flag.group(1);
        assertThat(flag.group(2)).isEqualTo(url);
        String rk = flag.group(3);
        assertThat(rk).hasSize(3 + 44);
        JsonNode key = json(ok(admin.run("reg-key", "get", "--reg-key-id", keyId, "--full", "-o", "json")));
        assertThat(key.get("vpc_id").asText()).isEqualTo(vpcId);
        assertThat(key.get("security_group_id").asText()).isEqualTo(sgId);
        assertThat(key.get("expires_at").asText()).isNotEmpty();
        assertThat(key.path("bearer_token").asText("")).isEmpty(); // the service keeps only a hash
        assertRow(
                ok(admin.run("reg-key", "get", "--reg-key-id", keyId)),
                "TOKEN ID\\s+DESCRIPTION\\s+CLI FLAGS",
                Pattern.quote(keyId) + "\\s+lab key\\s+\\(shown only at creation\\)");
        JsonNode single = json(ok(admin.run("reg-key", "create", "--vpc-id", vpcId, "--single-use", "-o", "json")));
        assertThat(single.get("bearer_token").asText()).startsWith("RK:");
        assertThat(ids(ok(admin.run("reg-key", "list", "-o", "json"))))
                .contains(keyId, single.get("id").asText());
        assertThat(json(ok(admin.run(
                                "reg-key",
                                "update",
                                "--reg-key-id",
                                keyId,
                                "--description",
                                "lab key 2",
                                "-o",
                                "json")))
                        .get("description")
                        .asText())
                .isEqualTo("lab key 2");

        // the device an agent would register with that flag arrives on a watch stream of the VPC
        String publicKey = x25519PublicKey();
        Device device;
        try (WatchConnection watch = adminApi()
                .events()
                .open(UUID.fromString(vpcId), null, List.of(new Watch(Watch.KIND_DEVICE, 0, false, Map.of())))) {
            assertThat(watch.next().type()).isEqualTo(WatchEvent.TYPE_TAIL);
            device = NexodusClient.builder(URI.create(url))
                    .bearerToken(rk)
                    .build()
                    .devices()
                    .create(new AddDevice(
                            UUID.fromString(vpcId), publicKey, null, null, false, false, "lab-a", null, "linux", null));
            WatchEvent e = watch.next();
            assertThat(e.type()).isEqualTo(WatchEvent.TYPE_CHANGE);
            assertThat(e.value().get("public_key").asText()).isEqualTo(publicKey);
            assertThat(e.value().get("hostname").asText()).isEqualTo("lab-a");
        }
        String deviceId = device.id().toString();
        assertThat(device.securityGroupId().toString()).isEqualTo(sgId); // the key's security group

        // devices
        assertThat(ids(ok(admin.run("device", "list", "--vpc-id", vpcId, "-o", "json"))))
                .containsExactly(deviceId);
        assertThat(ids(ok(admin.run("device", "list", "-o", "json")))).contains(deviceId);
        JsonNode got = json(ok(admin.run("device", "get", "--device-id", deviceId, "-o", "json")));
        assertThat(got.get("ipv4_tunnel_ips").get(0).get("address").asText()).isEqualTo("10.77.0.1");
        assertThat(got.get("public_key").asText()).isEqualTo(publicKey);
        assertRow(
                ok(admin.run("device", "list", "--vpc-id", vpcId)),
                "DEVICE ID\\s+HOSTNAME\\s+TUNNEL IPS\\s+VPC ID\\s+RELAY",
                Pattern.quote(deviceId) + "\\s+lab-a\\s+10\\.77\\.0\\.1, fd\\S+\\s+" + vpcId + "\\s+false");
        assertThat(json(ok(admin.run("device", "update", "--device-id", deviceId, "--hostname", "lab-b", "-o", "json")))
                        .get("hostname")
                        .asText())
                .isEqualTo("lab-b");

        // 409 with the conflicting id: the same public key again
        try {
            NexodusClient.builder(URI.create(url))
                    .bearerToken(rk)
                    .build()
                    .devices()
                    .create(new AddDevice(
                            UUID.fromString(vpcId), publicKey, null, null, false, false, "dup", null, "linux", null));
            throw new AssertionError("a duplicate public key was accepted");
        } catch (ApiException e) {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.getMessage()).contains(deviceId);
        }

        // device metadata
        ok(admin.run(
                "device",
                "metadata",
                "set",
                "--device-id",
                deviceId,
                "--key",
                "relay",
                "--value",
                "{\"type\":\"derp\"}"));
        JsonNode md = json(
                ok(admin.run("device", "metadata", "get", "--device-id", deviceId, "--key", "relay", "-o", "json")));
        assertThat(md.findValue("value").get("type").asText()).isEqualTo("derp");
        assertRow(
                ok(admin.run("device", "metadata", "get", "--device-id", deviceId)),
                "KEY\\s+VALUE",
                "relay\\s+\\{\"type\":\"derp\"\\}");
        assertThat(json(ok(admin.run("vpc", "metadata", "get", "--vpc-id", vpcId, "-o", "json")))
                        .findValuesAsText("device_id"))
                .containsExactly(deviceId);
        ok(admin.run("device", "metadata", "set", "--device-id", deviceId, "--key", "note", "--value", "\"hello\""));
        ok(admin.run("device", "metadata", "delete", "--device-id", deviceId, "--key", "relay"));
        assertThat(json(ok(admin.run("device", "metadata", "get", "--device-id", deviceId, "-o", "json")))
                        .findValuesAsText("key"))
                .containsExactly("note");
        ok(admin.run("device", "metadata", "clear", "--device-id", deviceId));
        assertThat(json(ok(admin.run("device", "metadata", "get", "--device-id", deviceId, "-o", "json"))))
                .isEmpty();

        // delete everything again
        assertThat(ok(admin.run("device", "delete", "--device-id", deviceId)).out())
                .endsWith("successfully deleted\n");
        assertNotFound(admin.run("device", "get", "--device-id", deviceId), "device");
        ok(admin.run("reg-key", "delete", "--reg-key-id", keyId));
        assertNotFound(admin.run("reg-key", "get", "--reg-key-id", keyId), "reg key");
        ok(admin.run("security-group", "delete", "--security-group-id", sgId));
        assertNotFound(admin.run("security-group", "get", "--security-group-id", sgId), "security group");
        ok(admin.run("vpc", "delete", "--vpc-id", vpcId));
        assertNotFound(admin.run("vpc", "get", "--vpc-id", vpcId), "vpc");
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    @Test
    void notFoundIsExit1AndAServiceThatIsDownIsExit4() throws Exception {
        NexctlRunner.Result r =
                admin.run("vpc", "get", "--vpc-id", UUID.randomUUID().toString());
        assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).isEqualTo("error: not found, status: 404, resource: vpc\n");
        assertThat(r.out()).isEmpty();

        r = admin.run("vpc", "get", "--vpc-id", "not-a-uuid");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE); // checked before anything is sent

        String down = "http://127.0.0.1:" + FreePorts.tcp();
        r = runner("down")
                .runWithStdin(
                        ADMIN_PASSWORD, "--service-url", down, "login", "--username", "admin", "--password-stdin");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err())
                .isEqualTo("error: cannot reach the service at " + down + ": connection refused\n"
                        + "Is it running (`bin/nexodus serve` in a checkout, `systemctl status nexodus` from the package)?"
                        + " Is --service-url (or NEXCTL_SERVICE_URL) right?\n");
    }

    // ---- TLS ---------------------------------------------------------------------------------------------------

    @Test
    void selfSignedTlsWithTheWrittenCaOrWithoutVerification() throws Exception {
        try (NexodusServer tls = new NexodusServer(
                ServerConfig.forTests(tmp.resolve("tls-service")).withTlsSelfSigned(true),
                Clock.systemUTC(),
                List.of())) {
            tls.start();
            String httpsUrl = tls.url();
            Path ca = tls.caFile();
            assertThat(httpsUrl).startsWith("https://127.0.0.1:");
            assertThat(ca).isEqualTo(tmp.resolve("tls-service").resolve("tls").resolve("ca.pem"));
            NexctlRunner cli = runner("tls").env("NEXCTL_SERVICE_URL", httpsUrl);

            NexctlRunner.Result r =
                    cli.runWithStdin(ADMIN_PASSWORD, "login", "--username", "admin", "--password-stdin");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.err())
                    .startsWith("error: TLS with the service at " + httpsUrl + " failed: ")
                    .contains("pass --ca-cert <that CA file>");

            // the banner's login command, as printed, includes --ca-cert
            String[] printed = loginCommandFrom(banner(tls));
            assertThat(printed)
                    .containsExactly(
                            "nexctl",
                            "--service-url",
                            httpsUrl,
                            "--ca-cert",
                            ca.toString(),
                            "login",
                            "--username",
                            "admin");
            ok(cli.runWithStdin(
                    ADMIN_PASSWORD, args(Arrays.copyOfRange(printed, 1, printed.length), "--password-stdin")));
            assertThat(ids(ok(cli.run("--ca-cert", ca.toString(), "vpc", "list", "-o", "json"))))
                    .isNotEmpty();
            ok(cli.env("NEXCTL_CA_CERT", ca.toString()).run("user", "get-current"));

            // the login remembered its CA for this service: no --ca-cert needed, and no service URL either
            cli.env("NEXCTL_CA_CERT", null);
            ok(cli.run("vpc", "list"));
            ok(cli.env("NEXCTL_SERVICE_URL", null).run("vpc", "list"));
            cli.env("NEXCTL_SERVICE_URL", httpsUrl);

            // a home without that login does not trust the CA; --insecure-skip-tls-verify checks neither name nor CA
            NexctlRunner stranger = runner("tls-stranger").env("NEXCTL_SERVICE_URL", httpsUrl);
            r = stranger.run("--username", "admin", "--password", ADMIN_PASSWORD, "vpc", "list");
            assertThat(r.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
            ok(cli.run("--insecure-skip-tls-verify", "vpc", "list"));
            ok(cli.run(
                    "--service-url",
                    httpsUrl.replace("127.0.0.1", "localhost"),
                    "--insecure-skip-tls-verify",
                    "--username",
                    "admin",
                    "--password",
                    ADMIN_PASSWORD,
                    "user",
                    "get-current"));
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static NexctlRunner runner(String name) {
        try {
            return new NexctlRunner(Files.createDirectories(tmp.resolve("home-" + name)))
                    .env("NEXCTL_SERVICE_URL", url);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static NexctlRunner.Result ok(NexctlRunner.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }

    private static JsonNode json(NexctlRunner.Result r) {
        try {
            return Json.mapper().readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r, e);
        }
    }

    /** The ids of a JSON list. */
    private static List<String> ids(NexctlRunner.Result r) {
        JsonNode list = json(r);
        assertThat(list.isArray()).as(r.toString()).isTrue();
        List<String> ids = new ArrayList<>();
        list.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    /** Column output: exactly a header and one row, matching the patterns (columns separated by 5+ spaces). */
    private static void assertRow(NexctlRunner.Result r, String header, String row) {
        List<String> lines = r.out().lines().toList();
        assertThat(lines).as(r.out()).hasSize(2);
        assertThat(lines.get(0)).matches(header);
        assertThat(lines.get(1)).matches(row);
        assertThat(lines.get(0)).doesNotEndWith(" ");
    }

    private static void assertNotFound(NexctlRunner.Result r, String resource) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).isEqualTo("error: not found, status: 404, resource: " + resource + "\n");
    }

    private static String[] args(String[] base, String... more) {
        List<String> all = new ArrayList<>(Arrays.asList(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static String banner(NexodusServer s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        s.printBanner(new PrintStream(b, true, StandardCharsets.UTF_8));
        return b.toString(StandardCharsets.UTF_8);
    }

    /** The words of the banner's "log in:" line. */
    private static String[] loginCommandFrom(String banner) {
        String line = banner.lines()
                .filter(l -> l.startsWith("  log in:"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(banner));
        return line.substring("  log in:".length()).strip().split(" +");
    }

    private static NexodusClient adminApi() {
        String token = ok(admin.run("token")).out().strip();
        return NexodusClient.builder(URI.create(url)).bearerToken(token).build();
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url + path))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /** A WireGuard public key (X25519, base64), as `wg genkey | wg pubkey` makes. */
    private static String x25519PublicKey() throws Exception {
        byte[] spki = KeyPairGenerator.getInstance("X25519")
                .generateKeyPair()
                .getPublic()
                .getEncoded();
        return Base64.getEncoder().encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
    }
}
