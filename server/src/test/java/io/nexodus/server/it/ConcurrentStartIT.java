package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.server.ServerConfig;
import io.nexodus.server.testing.TestServer;
import io.nexodus.testkit.Postgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Three replicas started at the same moment on a fresh PostgreSQL database, as a Deployment or a compose file starts
 * them: all start, one creates the admin account (with a generated password) and the signing key, and every replica
 * serves the same issuer keys and accepts the same admin credentials.
 */
class ConcurrentStartIT {
    private static final int REPLICAS = 3;
    private static final int TRIES = 3;

    @Test
    void replicasStartedTogetherOnAFreshDatabaseAllStartWithTheSameAdminAndKeys() throws Exception {
        assertThat(Postgres.available())
                .as("PostgreSQL installed (apt-get install postgresql)")
                .isTrue();
        for (int attempt = 0; attempt < TRIES; attempt++) {
            startTogetherOnce(Postgres.get().newDatabase());
        }
    }

    private static void startTogetherOnce(String dbUrl) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(REPLICAS);
        List<TestServer> started = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<TestServer>> starts = new ArrayList<>();
            for (int i = 0; i < REPLICAS; i++) {
                ServerConfig cfg =
                        generatedAdminPassword(ServerConfig.forTests(Files.createTempDirectory("nexodus-replica-"))
                                .withDb(dbUrl, "postgres", null));
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
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            assertThat(failures).as("replicas that failed to start").isEmpty();

            List<Path> passwordFiles = started.stream()
                    .map(s -> s.config().dataDir().resolve("admin-password"))
                    .filter(Files::exists)
                    .toList();
            assertThat(passwordFiles)
                    .as("exactly one replica created the admin account")
                    .hasSize(1);
            String password = Files.readString(passwordFiles.getFirst()).strip();

            Set<String> jwks = new HashSet<>();
            HttpClient http = HttpClient.newHttpClient();
            for (TestServer s : started) {
                jwks.add(http.send(
                                HttpRequest.newBuilder(URI.create(s.url() + "/device/certs"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
                assertThat(s.loggedIn("admin", password).vpcs().list(io.nexodus.api.client.ListOptions.NONE))
                        .as("the generated admin password works on every replica")
                        .isNotNull();
            }
            assertThat(jwks).as("every replica publishes the same issuer keys").hasSize(1);
            assertThat(jwks.iterator().next()).contains("\"kid\"");
        } finally {
            started.forEach(TestServer::close);
            pool.shutdownNow();
        }
    }

    /** The operator's usual first start: no --admin-password, so the first replica generates one. */
    private static ServerConfig generatedAdminPassword(ServerConfig c) {
        return new ServerConfig(
                c.listenHost(),
                c.listenPort(),
                c.dataDir(),
                c.dbUrl(),
                c.dbUser(),
                c.dbPassword(),
                c.stunPorts(),
                null,
                c.tlsCert(),
                c.tlsKey(),
                c.tlsSelfSigned(),
                c.publicUrl(),
                c.oidcIssuer(),
                c.oidcClientId(),
                c.oidcAudience(),
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
