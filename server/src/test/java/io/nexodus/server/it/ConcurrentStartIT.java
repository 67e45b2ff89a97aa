package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.server.ServerConfig;
import io.nexodus.server.testing.TestServer;
import io.nexodus.testkit.Postgres;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Three replicas started at the same moment on a fresh PostgreSQL database, as a Deployment or a compose file starts
 * them: all start, one creates the admin account (with a generated password, or the one every replica is given) and
 * the signing key, every replica serves the same issuer keys and accepts the same admin credentials, and a token one
 * replica issued (or a refresh token it handed out) works on the others. Replicas share one {@code --url}, the token
 * issuer, as they do behind one load balancer.
 */
class ConcurrentStartIT {
    private static final int REPLICAS = 3;
    private static final int ROUNDS = 5;
    private static final String PUBLIC_URL = "https://nexodus.replicas.test";
    private static final String GIVEN_PASSWORD = "given-admin-password";

    @Test
    void replicasStartedTogetherOnAFreshDatabaseAllStartWithTheSameAdminAndKeys() throws Exception {
        assertThat(Postgres.available())
                .as("PostgreSQL installed (apt-get install postgresql)")
                .isTrue();
        for (int round = 0; round < ROUNDS; round++) {
            // the operator's usual first start generates the password; a Deployment with a secret gives it to all
            startTogetherOnce(Postgres.get().newDatabase(), round % 2 == 0 ? null : GIVEN_PASSWORD);
        }
    }

    private static void startTogetherOnce(String dbUrl, String adminPassword) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(REPLICAS);
        List<TestServer> started = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<TestServer>> starts = new ArrayList<>();
            for (int i = 0; i < REPLICAS; i++) {
                ServerConfig cfg = replicaConfig(
                        ServerConfig.forTests(Files.createTempDirectory("nexodus-replica-"))
                                .withDb(dbUrl, "postgres", null),
                        adminPassword);
                starts.add(pool.submit(() -> {
                    go.await();
                    return TestServer.start(cfg);
                }));
            }
            go.countDown();
            List<Throwable> failures = new ArrayList<>();
            for (Future<TestServer> f : starts) {
                try {
                    started.add(f.get(120, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            assertThat(failures).as("replicas that failed to start").isEmpty();

            List<Path> passwordFiles = started.stream()
                    .map(s -> s.config().dataDir().resolve("admin-password"))
                    .filter(Files::exists)
                    .toList();
            String password;
            if (adminPassword == null) {
                assertThat(passwordFiles)
                        .as("exactly one replica created the admin account and its password")
                        .hasSize(1);
                password = Files.readString(passwordFiles.getFirst()).strip();
            } else {
                assertThat(passwordFiles)
                        .as("a given password is not written down")
                        .isEmpty();
                password = adminPassword;
            }
            long admins = started.getFirst()
                    .server()
                    .database()
                    .read(tx -> tx.queryOne(
                                    "SELECT COUNT(*) FROM accounts WHERE username = 'admin'", rs -> rs.getLong(1))
                            .orElseThrow());
            assertThat(admins).as("one admin account").isEqualTo(1L);

            Set<String> jwks = new HashSet<>();
            Set<PeerMapKey> peerMapKeys = new HashSet<>();
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < REPLICAS; i++) {
                TestServer s = started.get(i);
                TestServer next = started.get((i + 1) % REPLICAS);
                jwks.add(get(http, localUrl(s) + "/device/certs"));
                TokenResponse t = tokenRequest(
                        http,
                        s,
                        "grant_type=password&username=admin&password=" + form(password) + "&client_id=nexodus-cli");
                peerMapKeys.add(api(s, t.accessToken()).devices().peerMapKey());
                assertThat(api(next, t.accessToken()).users().me().username())
                        .as("a token of replica %d is accepted by replica %d", i, (i + 1) % REPLICAS)
                        .isEqualTo("admin");
                TokenResponse refreshed =
                        tokenRequest(http, next, "grant_type=refresh_token&refresh_token=" + form(t.refreshToken()));
                assertThat(api(s, refreshed.accessToken()).users().me().username())
                        .as("a refresh token of replica %d works on replica %d", i, (i + 1) % REPLICAS)
                        .isEqualTo("admin");
            }
            assertThat(jwks).as("every replica publishes the same issuer keys").hasSize(1);
            assertThat(jwks.iterator().next()).contains("\"kid\"");
            assertThat(peerMapKeys)
                    .as("every replica signs peer maps with the same key")
                    .hasSize(1);
        } finally {
            started.forEach(TestServer::close);
            pool.shutdownNow();
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** A token request straight to one replica (discovery would name the shared public URL). */
    private static TokenResponse tokenRequest(HttpClient http, TestServer s, String form) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(localUrl(s) + "/oauth/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readValue(r.body(), TokenResponse.class);
    }

    private static NexodusClient api(TestServer s, String token) {
        return NexodusClient.builder(URI.create(localUrl(s))).bearerToken(token).build();
    }

    /** The replica itself (its public URL is the shared one, which names no listening server here). */
    private static String localUrl(TestServer s) {
        return "http://127.0.0.1:" + s.server().port();
    }

    private static String form(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }

    /** Every replica with the same public URL (the token issuer) and the given admin password (null: generated). */
    private static ServerConfig replicaConfig(ServerConfig c, String adminPassword) {
        return new ServerConfig(
                c.listenHost(),
                c.listenPort(),
                c.dataDir(),
                c.dbUrl(),
                c.dbUser(),
                c.dbPassword(),
                c.stunPorts(),
                adminPassword,
                c.tlsCert(),
                c.tlsKey(),
                c.tlsSelfSigned(),
                PUBLIC_URL,
                c.oidcIssuer(),
                c.oidcClientId(),
                c.oidcAudience(),
                c.oidcConsoleClientId(),
                c.passwordIterations(),
                c.accessTokenTtl(),
                c.refreshTokenTtl(),
                c.watchHeartbeat(),
                c.onlineGrace(),
                c.dbPoolSize(),
                c.flags(),
                c.quiet());
    }
}
