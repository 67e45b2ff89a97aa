package io.nexodus.nexctl;

import static io.nexodus.nexctl.Fixtures.USER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.Json;
import io.nexodus.core.tls.SelfSignedCa;
import io.nexodus.testkit.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nexctl login}/{@code logout}, the token cache file, and refresh of expired tokens. */
class TokenCacheTest {
    @TempDir
    Path home;

    CannedService svc;
    NexctlRunner nexctl;
    final ManualClock now = new ManualClock(Instant.parse("2026-11-02T10:00:00Z"));

    @BeforeEach
    void setUp() throws Exception {
        svc = new CannedService();
        svc.on("GET /api/users/me", 200, USER);
        nexctl = new NexctlRunner(home)
                .env("NEXCTL_SERVICE_URL", svc.url().toString())
                .clock(now);
    }

    @AfterEach
    void tearDown() {
        svc.close();
    }

    private JsonNode cache() throws Exception {
        return Json.mapper().readTree(Files.readString(nexctl.configDir().resolve("credentials.json")));
    }

    private String key() {
        return svc.url().toString();
    }

    @Test
    void loginCachesTokensPrivatelyPerServiceUrlAndLogoutForgetsThem() throws Exception {
        NexctlRunner.Result r = nexctl.run("login", "--username", "admin", "--password", "secret");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Logged in to " + key() + " as admin (user id " + Fixtures.USER_ID + ").\n");
        Path file = nexctl.configDir().resolve("credentials.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nexctl.configDir())))
                .isEqualTo("rwx------");
        JsonNode entry = cache().get("services").get(key());
        assertThat(entry.get("username").asText()).isEqualTo("admin");
        assertThat(entry.get("access_token").asText()).isEqualTo("access-pw-1");
        assertThat(entry.get("refresh_token").asText()).isEqualTo("refresh-pw-1");
        assertThat(entry.get("expires_at").asText()).isEqualTo("2026-11-02T10:05:00Z");

        // a second service gets its own entry; the URL is normalised (trailing slash, case of the host)
        try (CannedService other = new CannedService()) {
            other.on("GET /api/users/me", 200, USER);
            String otherUrl = other.url().toString().replace("127.0.0.1", "127.0.0.1") + "/";
            assertThat(nexctl.run("--service-url", otherUrl, "login", "--username", "admin", "--password", "secret")
                            .exitCode())
                    .isZero();
            assertThat(cache().get("services").size()).isEqualTo(2);
            assertThat(nexctl.run("--service-url", otherUrl, "user", "get-current")
                            .exitCode())
                    .isZero();
            assertThat(other.last("GET /api/users/me").authorization()).isEqualTo("Bearer access-pw-1");
        }

        assertThat(nexctl.run("user", "get-current").exitCode()).isZero();
        assertThat(svc.last("GET /api/users/me").authorization()).isEqualTo("Bearer access-pw-1");
        assertThat(svc.passwordGrants.get()).isEqualTo(1);

        r = nexctl.run("logout");
        assertThat(r.out()).isEqualTo("Logged out of " + key() + ".\n");
        assertThat(cache().get("services").has(key())).isFalse();
        assertThat(cache().get("services").size()).isEqualTo(1);
        r = nexctl.run("user", "get-current");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(r.err())
                .isEqualTo("error: not logged in to " + key()
                        + ": run `nexctl login` (or pass --username and --password)\n");
        assertThat(nexctl.run("logout").out()).isEqualTo("Not logged in to " + key() + ".\n");
    }

    @Test
    void loginAsksForOfflineAccessAndOneShotCommandsDoNot() throws Exception {
        svc.on("GET /api/vpcs", 200, "[]");
        assertThat(nexctl.run("login", "--username", "admin", "--password", "secret")
                        .exitCode())
                .isZero();
        assertThat(nexctl.run("vpc", "list", "--username", "admin", "--password", "secret")
                        .exitCode())
                .isZero();
        assertThat(svc.passwordScopes).containsExactly("openid profile email offline_access", "openid profile email");
    }

    @Test
    void loginWithoutOfflineAccessGrantedFallsBackToASessionLoginAndSaysSo() throws Exception {
        for (String refusal : List.of("invalid_scope", "not_allowed")) {
            svc.offlineRefusal = refusal;
            svc.passwordScopes.clear();
            NexctlRunner.Result r = nexctl.run("login", "--username", "admin", "--password", "secret");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out())
                    .contains("Logged in to " + key())
                    .contains("did not grant offline access")
                    .contains("run `nexctl login` again");
            assertThat(svc.passwordScopes)
                    .as(refusal)
                    .containsExactly("openid profile email offline_access", "openid profile email");
            assertThat(cache().get("services").get(key()).get("refresh_token").asText())
                    .startsWith("refresh-pw-");
        }
        JsonNode j = Json.mapper()
                .readTree(nexctl.run("login", "--username", "admin", "--password", "secret", "-o", "json")
                        .out());
        assertThat(j.get("offline_access").asBoolean()).isFalse();
        svc.offlineRefusal = null;
        j = Json.mapper()
                .readTree(nexctl.run("login", "--username", "admin", "--password", "secret", "-o", "json")
                        .out());
        assertThat(j.get("offline_access").asBoolean()).isTrue();
    }

    @Test
    void laterCommandsUseTheServiceAndCaOfTheLastLogin() throws Exception {
        Path ca = home.resolve("ca.pem");
        SelfSignedCa.loadOrCreate(ca, home.resolve("ca-key.pem"), "test CA", null, Clock.systemUTC());
        NexctlRunner.Result r =
                nexctl.run("login", "--username", "admin", "--password", "secret", "--ca-cert", ca.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(cache().get("current").asText()).isEqualTo(key());
        assertThat(cache().get("services").get(key()).get("ca_cert").asText())
                .isEqualTo(ca.toAbsolutePath().toString());

        // no --service-url, no NEXCTL_SERVICE_URL: the service of the login, with its CA
        nexctl.env("NEXCTL_SERVICE_URL", null);
        r = nexctl.run("--debug", "user", "get-current");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(svc.last("GET /api/users/me").authorization()).isEqualTo("Bearer access-pw-1");

        // the CA stays with the refreshed tokens
        now.advance(Duration.ofSeconds(280));
        assertThat(nexctl.run("user", "get-current").exitCode()).isZero();
        assertThat(svc.refreshGrants.get()).isEqualTo(1);
        assertThat(cache().get("services").get(key()).get("ca_cert").asText())
                .isEqualTo(ca.toAbsolutePath().toString());

        // after logout there is no current service: the default URL, not logged in
        assertThat(nexctl.run("logout").exitCode()).isZero();
        r = nexctl.run("user", "get-current");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(r.err()).contains("not logged in to " + Nexctl.DEFAULT_SERVICE_URL);
    }

    @Test
    void expiredAccessTokenIsRefreshedOnceAndTheRotatedTokensAreSaved() throws Exception {
        assertThat(nexctl.run("login", "--username", "admin", "--password", "secret")
                        .exitCode())
                .isZero();
        now.advance(Duration.ofSeconds(280)); // 20 s before expiry: inside the refresh margin
        NexctlRunner.Result r = nexctl.run("user", "get-current");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(svc.refreshGrants.get()).isEqualTo(1);
        assertThat(svc.last("GET /api/users/me").authorization()).isEqualTo("Bearer access-rf-1");
        JsonNode entry = cache().get("services").get(key());
        assertThat(entry.get("refresh_token").asText()).isEqualTo("refresh-rf-1");
        assertThat(entry.get("expires_at").asText()).isEqualTo("2026-11-02T10:09:40Z");

        // still fresh: no further refresh
        assertThat(nexctl.run("user", "get-current").exitCode()).isZero();
        assertThat(svc.refreshGrants.get()).isEqualTo(1);
        // the old refresh token was rotated away; the service only accepts tokens it issued
        assertThat(svc.validTokens).contains("access-rf-1");
    }

    @Test
    void tokenPrintsTheCachedAccessTokenRefreshedWhenDue() throws Exception {
        NexctlRunner.Result r = nexctl.run("token");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("error: not logged in to " + key());

        assertThat(nexctl.run("login", "--username", "admin", "--password", "secret")
                        .exitCode())
                .isZero();
        r = nexctl.run("token");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("access-pw-1\n");
        assertThat(r.err()).isEmpty();

        now.advance(Duration.ofSeconds(280)); // inside the refresh margin: a token about to expire is not handed out
        r = nexctl.run("-o", "json", "token");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Json.mapper().readTree(r.out()).get("access_token").asText()).isEqualTo("access-rf-1");
        assertThat(Json.mapper().readTree(r.out()).get("service_url").asText()).isEqualTo(key());
        assertThat(svc.refreshGrants.get()).isEqualTo(1);

        // a one-shot login hands out its own token and caches nothing
        r = nexctl.run("--username", "admin", "--password", "secret", "token");
        assertThat(r.out()).isEqualTo("access-pw-2\n");
        assertThat(cache().get("services").get(key()).get("access_token").asText())
                .isEqualTo("access-rf-1");
    }

    @Test
    void severalNexctlsRefreshingAtOnceUseOneRefresh() throws Exception {
        assertThat(nexctl.run("login", "--username", "admin", "--password", "secret")
                        .exitCode())
                .isZero();
        now.advance(Duration.ofMinutes(10));
        List<Thread> threads = new ArrayList<>();
        List<NexctlRunner.Result> results = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> results.add(nexctl.run("user", "get-current"))));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(results)
                .allSatisfy(r -> assertThat(r.exitCode()).as(r.toString()).isZero());
        assertThat(svc.refreshGrants.get()).isEqualTo(1);
    }

    @Test
    void refusedRefreshAsksToLogInAgain() {
        assertThat(nexctl.run("login", "--username", "admin", "--password", "secret")
                        .exitCode())
                .isZero();
        svc.refreshRefused = true;
        now.advance(Duration.ofHours(1));
        NexctlRunner.Result r = nexctl.run("vpc", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(r.err())
                .isEqualTo("error: the session for " + key()
                        + " could not be renewed (invalid_grant): run `nexctl login`\n");
        assertThat(svc.apiRequests()).noneMatch(q -> q.path().equals("/api/vpcs"));

        now.advance(Duration.ofDays(2)); // past the refresh token's own expiry
        r = nexctl.run("vpc", "list");
        assertThat(r.err()).isEqualTo("error: the session for " + key() + " has expired: run `nexctl login`\n");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH);
    }

    @Test
    void oneShotCredentialsAreNotCachedAndWrongOnesFailClearly() {
        NexctlRunner.Result r = nexctl.run("--username", "admin", "--password", "secret", "user", "get-current");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(nexctl.configDir().resolve("credentials.json")).doesNotExist();

        r = nexctl.env("NEXCTL_USERNAME", "admin")
                .env("NEXCTL_PASSWORD", "secret")
                .run("user", "get-current");
        assertThat(r.exitCode()).isZero();

        r = nexctl.env("NEXCTL_PASSWORD", null).run("user", "get-current", "--password", "wrong");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(r.err()).isEqualTo("error: login failed: invalid username or password\n");

        r = nexctl.env("NEXCTL_USERNAME", "throttled").run("user", "get-current", "--password", "any");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(r.err())
                .isEqualTo("error: login refused for now: too many failed logins for this account or from this"
                        + " address; try again in 42 s\n");
        nexctl.env("NEXCTL_USERNAME", "admin");

        r = nexctl.run("user", "get-current"); // no password and no terminal to ask on
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("no password for admin");

        r = nexctl.env("NEXCTL_USERNAME", null).run("login", "--password", "wrong", "--username", "admin");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(nexctl.configDir().resolve("credentials.json")).doesNotExist();
    }

    @Test
    void loginReadsThePasswordFromStdinAndPrintsJson() throws Exception {
        NexctlRunner.Result r =
                nexctl.runWithStdin("secret\n", "login", "--username", "admin", "--password-stdin", "-o", "json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("username").asText()).isEqualTo("admin");
        assertThat(j.get("service_url").asText()).isEqualTo(key());
        assertThat(j.get("expires_at").asText()).isEqualTo("2026-11-02T10:05:00Z");
        assertThat(nexctl.run("login").err()).contains("no username");
    }

    @Test
    void aDamagedCacheIsTreatedAsNotLoggedIn() throws Exception {
        Files.createDirectories(nexctl.configDir());
        Files.writeString(nexctl.configDir().resolve("credentials.json"), "{not json");
        NexctlRunner.Result r = nexctl.run("vpc", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(nexctl.run("login", "--username", "admin", "--password", "secret")
                        .exitCode())
                .isZero();
        assertThat(cache().get("services").get(key()).get("username").asText()).isEqualTo("admin");
    }
}
