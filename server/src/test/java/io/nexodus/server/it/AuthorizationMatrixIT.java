package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddAccount;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddRelay;
import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Invitation;
import io.nexodus.api.model.Organization;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.Vpc;
import io.nexodus.server.http.Route;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.OpenApiContract;
import io.nexodus.server.testing.TestServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every endpoint × {anonymous, another organization's user, member, owner, registration key, device token of another
 * device} with the expected status. Rows that change or delete their target get a fresh one per caller. The table
 * must cover every route the service serves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixIT {
    enum Who {
        ANON,
        OTHER,
        MEMBER,
        OWNER,
        RK,
        DT
    }

    private TestServer ts;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<Who, String> tokens = new LinkedHashMap<>();
    private NexodusClient alice, bob;
    private UUID team, vpc, group, d1, regKey, bobId, aliceId;
    private String bobName;

    @BeforeAll
    void fixtures() throws Exception {
        ts = TestServer.start(Db.H2);
        NexodusClient admin = ts.admin();
        String a = account(admin, "alice"), b = account(admin, "bob"), c = account(admin, "carol");
        alice = ts.loggedIn(a, "pw-" + a);
        bob = ts.loggedIn(b, "pw-" + b);
        bobName = b;
        aliceId = alice.users().me().id();
        bobId = bob.users().me().id();
        Organization t = alice.organizations().create(new AddOrganization("team-" + UUID.randomUUID(), "the team"));
        team = t.id();
        join(bob, team);
        Vpc v = alice.vpcs().create(new AddVpc(team, "team vpc", true, "10.55.0.0/16", null));
        vpc = v.id();
        group = alice.securityGroups()
                .create(new AddSecurityGroup("g", vpc, List.of(), List.of()))
                .id();
        d1 = device(alice, vpc).id();
        alice.devices().putMetadata(d1, "k", "v");
        RegKey rk = alice.regKeys().create(new AddRegKey(vpc, null, "matrix", false, null, null, null));
        regKey = rk.id();
        Keys k2 = Keys.generate();
        Device d2 = alice.devices()
                .create(new AddDevice(vpc, k2.publicKey(), null, null, false, false, "d2", null, "linux", null));
        tokens.put(Who.OTHER, ts.login(c, "pw-" + c).accessToken());
        tokens.put(Who.MEMBER, ts.login(b, "pw-" + b).accessToken());
        tokens.put(Who.OWNER, ts.login(a, "pw-" + a).accessToken());
        tokens.put(Who.RK, rk.bearerToken());
        tokens.put(Who.DT, SealedToken.open(d2.bearerToken(), k2.privateKey()));
    }

    @AfterAll
    void stop() {
        if (ts != null) {
            ts.close();
        }
    }

    private static String account(NexodusClient admin, String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        admin.accounts().create(new AddAccount(name, "pw-" + name, prefix, name + "@example.com"));
        return name;
    }

    private void join(NexodusClient who, UUID org) {
        Invitation i =
                alice.invitations().create(new AddInvitation(who.users().me().id(), null, org, null));
        who.invitations().accept(i.id());
    }

    private static Device device(NexodusClient c, UUID vpc) {
        return c.devices()
                .create(new AddDevice(
                        vpc, Keys.generate().publicKey(), null, null, false, false, "d", null, "linux", null));
    }

    private static String json(Object o) {
        try {
            return Json.mapper().writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One endpoint: the path (computed per caller, so it may create a fresh target), a body, expected statuses. */
    private record Row(
            String method, String template, Supplier<String> path, Supplier<String> body, Map<Who, Integer> expect) {}

    private final List<Row> rows = new ArrayList<>();
    private OpenApiContract contract;
    private final List<String> contractProblems = new ArrayList<>();
    private final Set<String> undocumented = new TreeSet<>();

    private void row(
            String method,
            String template,
            Supplier<String> path,
            Supplier<String> body,
            int anon,
            int other,
            int member,
            int owner,
            int rk,
            int dt) {
        Map<Who, Integer> expect = new EnumMap<>(Who.class);
        expect.put(Who.ANON, anon);
        expect.put(Who.OTHER, other);
        expect.put(Who.MEMBER, member);
        expect.put(Who.OWNER, owner);
        expect.put(Who.RK, rk);
        expect.put(Who.DT, dt);
        rows.add(new Row(method, template, path, body, expect));
    }

    private void row(
            String method,
            String template,
            String path,
            Supplier<String> body,
            int anon,
            int other,
            int member,
            int owner,
            int rk,
            int dt) {
        row(method, template, () -> path, body, anon, other, member, owner, rk, dt);
    }

    private UUID freshMember() {
        NexodusClient admin = ts.admin();
        String e = account(admin, "eve");
        NexodusClient eve = ts.loggedIn(e, "pw-" + e);
        join(eve, team);
        return eve.users().me().id();
    }

    private void defineRows() {
        Supplier<String> none = () -> null;
        // users
        row("GET", "/api/users", "/api/users", none, 401, 200, 200, 200, 403, 403);
        row("GET", "/api/users/{id}", "/api/users/" + aliceId, none, 401, 404, 404, 200, 403, 403);
        row("DELETE", "/api/users/{id}", "/api/users/" + aliceId, none, 401, 404, 404, 400, 403, 403);
        row(
                "DELETE",
                "/api/users/{id}/organizations/{organization}",
                () -> "/api/users/" + freshMember() + "/organizations/" + team,
                none,
                401,
                404,
                403,
                204,
                403,
                403);
        // organizations
        row("GET", "/api/organizations", "/api/organizations", none, 401, 200, 200, 200, 403, 403);
        row(
                "POST",
                "/api/organizations",
                "/api/organizations",
                () -> json(new AddOrganization("o-" + UUID.randomUUID(), "")),
                401,
                201,
                201,
                201,
                403,
                403);
        row("GET", "/api/organizations/{id}", "/api/organizations/" + team, none, 401, 404, 200, 200, 403, 403);
        row(
                "DELETE",
                "/api/organizations/{id}",
                () -> {
                    UUID o = alice.organizations()
                            .create(new AddOrganization("del-" + UUID.randomUUID(), ""))
                            .id();
                    join(bob, o);
                    return "/api/organizations/" + o;
                },
                none,
                401,
                404,
                403,
                200,
                403,
                403);
        row(
                "GET",
                "/api/organizations/{id}/users",
                "/api/organizations/" + team + "/users",
                none,
                401,
                404,
                200,
                200,
                403,
                403);
        row(
                "GET",
                "/api/organizations/{id}/users/{uid}",
                "/api/organizations/" + team + "/users/" + bobId,
                none,
                401,
                404,
                200,
                200,
                403,
                403);
        row(
                "DELETE",
                "/api/organizations/{id}/users/{uid}",
                () -> "/api/organizations/" + team + "/users/" + freshMember(),
                none,
                401,
                404,
                403,
                204,
                403,
                403);
        // invitations
        row("GET", "/api/invitations", "/api/invitations", none, 401, 200, 200, 200, 403, 403);
        row(
                "POST",
                "/api/invitations",
                "/api/invitations",
                () -> json(new AddInvitation(null, UUID.randomUUID() + "@example.com", team, null)),
                401,
                404,
                403,
                201,
                403,
                403);
        Supplier<String> freshInvite = () -> "/api/invitations/"
                + alice.invitations()
                        .create(new AddInvitation(null, UUID.randomUUID() + "@example.com", team, null))
                        .id();
        row("GET", "/api/invitations/{id}", freshInvite, none, 401, 404, 404, 200, 403, 403);
        row("DELETE", "/api/invitations/{id}", freshInvite, none, 401, 404, 404, 204, 403, 403);
        row(
                "POST",
                "/api/invitations/{id}/accept",
                () -> {
                    UUID o = alice.organizations()
                            .create(new AddOrganization("inv-" + UUID.randomUUID(), ""))
                            .id();
                    UUID carol =
                            ts.withToken(tokens.get(Who.OTHER)).users().me().id();
                    return "/api/invitations/"
                            + alice.invitations()
                                    .create(new AddInvitation(carol, null, o, null))
                                    .id() + "/accept";
                },
                none,
                401,
                204,
                404,
                404,
                403,
                403);
        // VPCs
        row("GET", "/api/vpcs", "/api/vpcs", none, 401, 200, 200, 200, 200, 200);
        row(
                "POST",
                "/api/vpcs",
                "/api/vpcs",
                () -> json(new AddVpc(team, "x", false, null, null)),
                401,
                404,
                201,
                201,
                403,
                403);
        row("GET", "/api/vpcs/{id}", "/api/vpcs/" + vpc, none, 401, 404, 200, 200, 200, 200);
        row(
                "PATCH",
                "/api/vpcs/{id}",
                "/api/vpcs/" + vpc,
                () -> "{\"description\":\"patched\"}",
                401,
                404,
                403,
                200,
                403,
                403);
        row(
                "DELETE",
                "/api/vpcs/{id}",
                () -> "/api/vpcs/"
                        + alice.vpcs()
                                .create(new AddVpc(team, "doomed", false, null, null))
                                .id(),
                none,
                401,
                404,
                403,
                200,
                403,
                403);
        row("GET", "/api/vpcs/{id}/devices", "/api/vpcs/" + vpc + "/devices", none, 401, 404, 200, 200, 403, 200);
        row("GET", "/api/vpcs/{id}/metadata", "/api/vpcs/" + vpc + "/metadata", none, 401, 404, 200, 200, 403, 200);
        row(
                "GET",
                "/api/vpcs/{id}/connectivity",
                "/api/vpcs/" + vpc + "/connectivity",
                none,
                401,
                404,
                200,
                200,
                403,
                200);
        row(
                "GET",
                "/api/vpcs/{id}/security-groups",
                "/api/vpcs/" + vpc + "/security-groups",
                none,
                401,
                404,
                200,
                200,
                403,
                200);
        row(
                "POST",
                "/api/vpcs/{id}/events",
                "/api/vpcs/" + vpc + "/events",
                () -> "[{\"kind\":\"device\",\"gt_revision\":0,\"at_tail\":false}]",
                401,
                404,
                200,
                200,
                403,
                200);
        row(
                "POST",
                "/api/events",
                "/api/events",
                () -> "[{\"kind\":\"device\",\"options\":{\"vpc-id\":\"" + vpc + "\"}}]",
                401,
                404,
                200,
                200,
                403,
                200);
        // the console's notices: users only (they name kinds, never data; each user is told of its own scopes)
        row("GET", "/api/notices", "/api/notices", none, 401, 200, 200, 200, 403, 403);
        // devices
        row("GET", "/api/devices", "/api/devices", none, 401, 200, 200, 200, 403, 403);
        row(
                "POST",
                "/api/devices",
                "/api/devices",
                () -> json(new AddDevice(
                        vpc, Keys.generate().publicKey(), null, null, false, false, "n", null, "linux", null)),
                401,
                404,
                201,
                201,
                201,
                403);
        row("GET", "/api/devices/{id}", "/api/devices/" + d1, none, 401, 404, 200, 200, 404, 404);
        row(
                "PATCH",
                "/api/devices/{id}",
                "/api/devices/" + d1,
                () -> "{\"hostname\":\"p\"}",
                401,
                404,
                403,
                200,
                404,
                404);
        row(
                "DELETE",
                "/api/devices/{id}",
                () -> "/api/devices/" + device(alice, vpc).id(),
                none,
                401,
                404,
                403,
                200,
                403,
                403);
        Supplier<String> withKey = () -> {
            alice.devices().putMetadata(d1, "k", "v");
            return "/api/devices/" + d1 + "/metadata/k";
        };
        row(
                "GET",
                "/api/devices/{id}/metadata",
                "/api/devices/" + d1 + "/metadata",
                none,
                401,
                404,
                200,
                200,
                404,
                200);
        row("GET", "/api/devices/{id}/metadata/{key}", withKey, none, 401, 404, 200, 200, 404, 200);
        row(
                "PUT",
                "/api/devices/{id}/metadata/{key}",
                "/api/devices/" + d1 + "/metadata/k",
                () -> "{\"any\":[1,2]}",
                401,
                404,
                403,
                200,
                404,
                404);
        row("DELETE", "/api/devices/{id}/metadata/{key}", withKey, none, 401, 404, 403, 204, 403, 404);
        row(
                "DELETE",
                "/api/devices/{id}/metadata",
                "/api/devices/" + d1 + "/metadata",
                none,
                401,
                404,
                403,
                204,
                403,
                404);
        // only the device itself reports (the device token here is another device's)
        row(
                "PUT",
                "/api/devices/{id}/connectivity",
                "/api/devices/" + d1 + "/connectivity",
                () -> "{\"nat_type\":\"cone\",\"peers\":[]}",
                401,
                404,
                403,
                403,
                403,
                404);
        // only the device itself fetches its peer map; any caller may read the key that signs it
        row(
                "GET",
                "/api/devices/{id}/peer-map",
                "/api/devices/" + d1 + "/peer-map",
                none,
                401,
                404,
                403,
                403,
                403,
                404);
        row("GET", "/api/peer-map/key", "/api/peer-map/key", none, 401, 200, 200, 200, 200, 200);
        // registration keys
        row("GET", "/api/reg-keys", "/api/reg-keys", none, 401, 200, 200, 200, 403, 403);
        row(
                "POST",
                "/api/reg-keys",
                "/api/reg-keys",
                () -> json(new AddRegKey(vpc, null, "x", false, null, null, null)),
                401,
                404,
                201,
                201,
                403,
                403);
        row("GET", "/api/reg-keys/{id}", "/api/reg-keys/" + regKey, none, 401, 404, 404, 200, 200, 403);
        row("GET", "/api/reg-keys/{id}", "/api/reg-keys/me", none, 401, 400, 400, 400, 200, 403);
        row(
                "PATCH",
                "/api/reg-keys/{id}",
                "/api/reg-keys/" + regKey,
                () -> "{\"description\":\"p\"}",
                401,
                404,
                404,
                200,
                403,
                403);
        row(
                "DELETE",
                "/api/reg-keys/{id}",
                () -> "/api/reg-keys/"
                        + alice.regKeys()
                                .create(new AddRegKey(vpc, null, "d", false, null, null, null))
                                .id(),
                none,
                401,
                404,
                404,
                200,
                403,
                403);
        // security groups
        row("GET", "/api/security-groups", "/api/security-groups", none, 401, 200, 200, 200, 403, 200);
        row(
                "POST",
                "/api/security-groups",
                "/api/security-groups",
                () -> json(new AddSecurityGroup("n", vpc, List.of(), List.of())),
                401,
                404,
                403,
                201,
                403,
                403);
        row("GET", "/api/security-groups/{id}", "/api/security-groups/" + group, none, 401, 404, 200, 200, 403, 200);
        row(
                "PATCH",
                "/api/security-groups/{id}",
                "/api/security-groups/" + group,
                () -> "{\"description\":\"p\"}",
                401,
                404,
                403,
                200,
                403,
                403);
        row(
                "DELETE",
                "/api/security-groups/{id}",
                () -> "/api/security-groups/"
                        + alice.securityGroups()
                                .create(new AddSecurityGroup("d", vpc, List.of(), List.of()))
                                .id(),
                none,
                401,
                404,
                403,
                200,
                403,
                403);
        // feature flags
        row("GET", "/api/fflags", "/api/fflags", none, 401, 200, 200, 200, 200, 200);
        row("GET", "/api/fflags/{name}", "/api/fflags/devices", none, 401, 200, 200, 200, 200, 200);
        // public DERP relays: everyone reads (agents use DT:), administrators change
        row("GET", "/api/relays", "/api/relays", none, 401, 200, 200, 200, 200, 200);
        row(
                "POST",
                "/api/relays",
                "/api/relays",
                () -> json(new AddRelay(
                        null,
                        "r-" + UUID.randomUUID().toString().substring(0, 8),
                        null,
                        "relay.example.com",
                        null,
                        null,
                        null,
                        null,
                        null)),
                401,
                403,
                403,
                403,
                403,
                403);
        row("DELETE", "/api/relays/{region_id}", "/api/relays/902", none, 401, 403, 403, 403, 403, 403);
        // identity
        row("POST", "/device/login/start", "/device/login/start", none, 200, 200, 200, 200, 200, 200);
        row("GET", "/device/certs", "/device/certs", none, 200, 200, 200, 200, 200, 200);
        row(
                "GET",
                "/.well-known/openid-configuration",
                "/.well-known/openid-configuration",
                none,
                200,
                200,
                200,
                200,
                200,
                200);
        row("GET", "/oauth/jwks", "/oauth/jwks", none, 200, 200, 200, 200, 200, 200);
        row(
                "POST",
                "/oauth/token",
                "/oauth/token",
                // a new name per call: six failures for one account would be throttled (429, IdentityIT)
                () -> "grant_type=password&username=nobody-" + UUID.randomUUID() + "&password=x",
                400,
                400,
                400,
                400,
                400,
                400);
        row(
                "POST",
                "/oauth/device/code",
                "/oauth/device/code",
                () -> "client_id=nexodus-cli",
                200,
                200,
                200,
                200,
                200,
                200);
        row("GET", "/device", "/device?user_code=ABCD-EFGH", none, 200, 200, 200, 200, 200, 200);
        row(
                "POST",
                "/device",
                "/device",
                () -> "user_code=X&username=nobody-" + UUID.randomUUID() + "&password=x",
                401,
                401,
                401,
                401,
                401,
                401);
        row("GET", "/oauth/userinfo", "/oauth/userinfo", none, 401, 200, 200, 200, 403, 403);
        // the console's login (authorization code + PKCE): a request that is not the console's is refused on the page
        row("GET", "/oauth/authorize", "/oauth/authorize?client_id=other", none, 400, 400, 400, 400, 400, 400);
        row("POST", "/oauth/authorize", "/oauth/authorize", () -> "client_id=other", 400, 400, 400, 400, 400, 400);
        // the console's static files are public; what they show comes from the API under the rows above
        row("GET", "/console", "/console", none, 302, 302, 302, 302, 302, 302);
        row("GET", "/console/", "/console/", none, 200, 200, 200, 200, 200, 200);
        row("GET", "/console/{file}", "/console/app.js", none, 200, 200, 200, 200, 200, 200);
        row("GET", "/admin/accounts", "/admin/accounts", none, 401, 403, 403, 403, 403, 403);
        // the audit log: administrators only
        row("GET", "/api/audit-events", "/api/audit-events", none, 401, 403, 403, 403, 403, 403);
        row(
                "POST",
                "/admin/accounts",
                "/admin/accounts",
                () -> json(
                        new AddAccount("x" + UUID.randomUUID().toString().substring(0, 8), "password-1", null, null)),
                401,
                403,
                403,
                403,
                403,
                403);
        // operations
        row("GET", "/private/live", "/private/live", none, 200, 200, 200, 200, 200, 200);
        row("GET", "/private/ready", "/private/ready", none, 200, 200, 200, 200, 200, 200);
        row("GET", "/private/gc", "/private/gc", none, 401, 403, 403, 403, 403, 403);
        row("GET", "/metrics", "/metrics", none, 200, 200, 200, 200, 200, 200);
        row("GET", "/openapi.json", "/openapi.json", none, 200, 200, 200, 200, 200, 200);
    }

    private int call(Row r, Who who) throws Exception {
        String path = r.path().get();
        String body = r.body().get();
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(ts.url() + path)).timeout(Duration.ofSeconds(30));
        if (who != Who.ANON) {
            b.header("Authorization", "Bearer " + tokens.get(who));
        }
        boolean form = r.template().startsWith("/oauth") || r.template().equals("/device");
        b.header("Content-Type", form ? "application/x-www-form-urlencoded" : "application/json");
        b.method(
                r.method(),
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        String contentType = resp.headers().firstValue("Content-Type").orElse(null);
        byte[] responseBody = null;
        boolean stream = contentType != null && contentType.contains("stream=");
        if (!stream && (contentType == null || contentType.startsWith("application/json"))) {
            try (InputStream in = resp.body()) {
                responseBody = in.readAllBytes();
            }
        } else {
            resp.body().close(); // watch streams stay open otherwise
        }
        if (contract.documents(r.method(), r.template())) {
            contractProblems.addAll(
                    contract.check(r.method(), r.template(), resp.statusCode(), contentType, responseBody));
        } else {
            undocumented.add(r.method() + " " + r.template());
        }
        return resp.statusCode();
    }

    /**
     * Every response above, errors included, also validates against the published OpenAPI document; the routes the
     * document leaves out are the non-API ones (browser flows, the console's files, operations endpoints).
     */
    @Test
    void everyEndpointForEveryKindOfCaller() throws Exception {
        contract = new OpenApiContract(ts.anonymous().service().openApi());
        defineRows();
        List<String> mismatches = new ArrayList<>();
        for (Row r : rows) {
            for (Who who : Who.values()) {
                int got = call(r, who);
                int want = r.expect().get(who);
                if (got != want) {
                    mismatches.add(
                            r.method() + " " + r.template() + " as " + who + ": expected " + want + ", got " + got);
                }
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(contractProblems)
                .as("responses that break the OpenAPI document")
                .isEmpty();
        assertThat(undocumented)
                .as("routes the OpenAPI document leaves out")
                .allMatch(route -> !route.contains(" /api/"));
        Set<String> served = new TreeSet<>();
        for (Route route : ts.server().routes()) {
            served.add(route.method() + " " + route.path());
        }
        Set<String> covered = new TreeSet<>();
        for (Row r : rows) {
            covered.add(r.method() + " " + r.template());
        }
        assertThat(covered).as("the matrix covers every route").containsAll(served);
        assertThat(bobName).isNotEmpty();
    }
}
