package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.ListOptions;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.WatchConnection;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.AuditEvent;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.OpenApiContract;
import io.nexodus.server.testing.TestServer;
import io.nexodus.testkit.Postgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The audit log from the outside: what users, registration keys and devices change, and password logins, appear in
 * {@code GET /api/audit-events} with actor, source, target and status; reads and watch streams do not; filters and
 * paging work; bad parameters are 400s naming the parameter; only administrators may read it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditIT {
    private TestServer ts;
    private NexodusClient admin;

    @BeforeAll
    void start() {
        ts = TestServer.start(Db.H2);
        admin = ts.admin();
    }

    @AfterAll
    void stop() {
        ts.close();
    }

    /** The user's own organization (every account gets one). */
    private static UUID org(NexodusClient user) {
        return user.organizations().list(ListOptions.NONE).items().get(0).id();
    }

    /**
     * The audit log once it holds at least {@code n} entries of {@code actor} with {@code action} (null: any): an entry
     * is written just after its answer went out, so a client can be a moment ahead of it.
     */
    private List<AuditEvent> awaitEntries(String actor, String action, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            List<AuditEvent> got = admin.audit().list(null, null, null, actor, action);
            if (got.size() >= n || System.nanoTime() > deadline) {
                return got;
            }
            Thread.sleep(20);
        }
    }

    private List<AuditEvent> byActor(String actor) {
        return admin.audit().list(null, null, null, actor, null);
    }

    @Test
    void changesAndLoginsAreRecordedWithWhoWhatAndResult() throws Exception {
        NexodusClient alice = ts.newUser("alice");
        String name = alice.users().me().username();
        UUID userId = alice.users().me().id();
        assertThatThrownBy(() -> ts.login(name, "wrong password")).isInstanceOf(RuntimeException.class);

        Vpc vpc = alice.vpcs().create(new AddVpc(org(alice), "audited", true, "10.77.0.0/16", null));
        assertThatThrownBy(() -> alice.vpcs().create(new AddVpc(org(alice), "bad", true, "not-a-cidr", null)))
                .isInstanceOf(ApiException.class);
        RegKey rk = alice.regKeys().create(new AddRegKey(vpc.id(), null, "k", false, null, null, null));
        alice.vpcs().list(ListOptions.NONE);
        NexodusClient asKey = ts.withToken(rk.bearerToken());
        Keys k = Keys.generate();
        UUID device = asKey.devices()
                .create(new AddDevice(vpc.id(), k.publicKey(), null, null, false, false, "h1", null, "linux", null))
                .id();
        try (WatchConnection w =
                alice.events().open(vpc.id(), null, List.of(new Watch("device", 0, false, Map.of())))) {
            w.next();
        }
        alice.devices().delete(device);

        awaitEntries(name, "DELETE /api/devices/{id}", 1);
        List<AuditEvent> mine = byActor(name);
        assertThat(mine)
                .extracting(AuditEvent::action, AuditEvent::target, AuditEvent::status)
                .contains(
                        tuple("login", "/oauth/token", 200),
                        tuple("login", "/oauth/token", 400),
                        tuple("POST /api/vpcs", "/api/vpcs/" + vpc.id(), 201),
                        tuple("POST /api/vpcs", "/api/vpcs", 400),
                        tuple("POST /api/reg-keys", "/api/reg-keys/" + rk.id(), 201),
                        tuple("DELETE /api/devices/{id}", "/api/devices/" + device, 200));
        assertThat(mine)
                .as("reads and watch streams are not changes")
                .extracting(AuditEvent::action)
                .allMatch(a -> a.equals("login") || !a.startsWith("GET "))
                .doesNotContain("POST /api/vpcs/{id}/events");
        AuditEvent created = mine.stream()
                .filter(e -> e.target().equals("/api/vpcs/" + vpc.id()))
                .findFirst()
                .orElseThrow();
        assertThat(created.actorKind()).isEqualTo(AuditEvent.ACTOR_USER);
        assertThat(created.actorId()).isEqualTo(userId);
        assertThat(created.source()).isEqualTo("127.0.0.1");
        assertThat(created.outcome()).isEqualTo(AuditEvent.OUTCOME_SUCCESS);
        AuditEvent failedLogin = mine.stream()
                .filter(e -> e.action().equals("login") && e.status() == 400)
                .findFirst()
                .orElseThrow();
        assertThat(failedLogin.actorId())
                .as("a failed login proves no identity")
                .isNull();
        assertThat(failedLogin.outcome()).isEqualTo(AuditEvent.OUTCOME_FAILURE);

        // the registration was made by the key, and is found by the key's id
        assertThat(byActor(rk.id().toString())).singleElement().satisfies(e -> {
            assertThat(e.actorKind()).isEqualTo(AuditEvent.ACTOR_REG_KEY);
            assertThat(e.action()).isEqualTo("POST /api/devices");
            assertThat(e.target()).isEqualTo("/api/devices/" + device);
        });
    }

    @Test
    void filtersAndPaging() throws Exception {
        NexodusClient bob = ts.newUser("bob");
        String name = bob.users().me().username();
        for (int i = 0; i < 3; i++) {
            bob.vpcs().create(new AddVpc(org(bob), "v" + i, false, null, null));
        }
        awaitEntries(name, "POST /api/vpcs", 3);
        List<AuditEvent> first = admin.audit().list(2, null, null, name, "POST /api/vpcs");
        assertThat(first).hasSize(2);
        assertThat(first.get(0).id()).isGreaterThan(first.get(1).id());
        List<AuditEvent> next = admin.audit().list(2, first.get(1).id(), null, name, "POST /api/vpcs");
        assertThat(next).hasSize(1);
        assertThat(next.get(0).id()).isLessThan(first.get(1).id());
        assertThat(admin.audit().list(null, null, null, name, "login"))
                .extracting(AuditEvent::actorKind)
                .containsOnly(AuditEvent.ACTOR_ACCOUNT);
        assertThat(admin.audit().list(null, null, Instant.now().plusSeconds(3600), null, null))
                .isEmpty();
    }

    @Test
    void badParametersAreNamedAndOnlyAdministratorsRead() throws Exception {
        String token = ts.login("admin", TestServer.ADMIN_PASSWORD).accessToken();
        for (String[] bad : new String[][] {
            {"limit=0", "limit"},
            {"limit=1001", "limit"},
            {"limit=ten", "limit"},
            {"before=-1", "before"},
            {"since=yesterday", "since"},
            {"actor=" + "x".repeat(300), "actor"}
        }) {
            HttpResponse<String> r = get("/api/audit-events?" + bad[0], token);
            assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(r.body()).as(bad[0]).contains("\"field\":\"" + bad[1] + "\"");
        }
        NexodusClient carol = ts.newUser("carol");
        assertThatThrownBy(() -> carol.audit().list(null, null, null, null, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(403));

        // the live answer matches the published document
        OpenApiContract contract = new OpenApiContract(ts.anonymous().service().openApi());
        HttpResponse<String> ok = get("/api/audit-events?limit=5", token);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(contract.check(
                        "GET",
                        "/api/audit-events",
                        200,
                        ok.headers().firstValue("Content-Type").orElse(null),
                        ok.body().getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
    }

    @Test
    void anEntryWrittenThroughOneReplicaIsReadThroughTheOtherOnPostgres() {
        assertThat(Postgres.available())
                .as("PostgreSQL installed (apt-get install postgresql)")
                .isTrue();
        try (TestServer a = TestServer.start(Db.POSTGRES);
                TestServer b = a.replica()) {
            NexodusClient dave = a.newUser("dave");
            String name = dave.users().me().username();
            Vpc vpc = dave.vpcs().create(new AddVpc(org(dave), "pg", false, null, null));
            assertThat(b.admin().audit().list(null, null, null, name, null))
                    .extracting(AuditEvent::action, AuditEvent::target)
                    .contains(tuple("login", "/oauth/token"), tuple("POST /api/vpcs", "/api/vpcs/" + vpc.id()));
        }
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(ts.url() + path))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
