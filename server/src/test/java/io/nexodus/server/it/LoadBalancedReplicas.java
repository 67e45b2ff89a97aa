package io.nexodus.server.it;

import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.TlsOptions;
import io.nexodus.core.tls.Pem;
import io.nexodus.core.tls.SecretFiles;
import io.nexodus.core.tls.SelfSignedCa;
import io.nexodus.core.tls.ServerCertificate;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.FreePorts;
import io.nexodus.testkit.NginxBalancer;
import io.nexodus.testkit.Postgres;
import io.nexodus.testkit.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The service as it runs in production behind a load balancer: one throw-away PostgreSQL database, N replicas as
 * separate OS processes ({@code io.nexodus.server.Main serve}, so {@code kill -9} is real) sharing one {@code --url},
 * and Debian's nginx in front terminating TLS (a certificate of a CA made here). Clients get only the balancer's URL.
 * Each replica also runs its public DERP relay (its own port and self-signed CA), meshed with the others' through the
 * shared database ({@code --derp-mesh-key}). Everything listens on loopback on free ports, under one temporary directory; {@link #close()} stops every process
 * and deletes the directory, also after a failure.
 * The balancer's configuration and its limits: {@link NginxBalancer}.
 */
final class LoadBalancedReplicas implements AutoCloseable {
    static final String ADMIN_PASSWORD = "lb-admin-password";
    /** The replicas' shared DERP mesh key: their public relays mesh and publish one region. */
    static final String DERP_MESH_KEY = "3f1c9a0e5b7d2c4e6a8b0d1f3e5c7a9b1d3f5e7c9a0b2d4f6e8a1c3e5b7d9f0a";

    private final Path dir;
    private final String dbUrl;
    private final int lbPort;
    private final Path caFile;
    private final List<Replica> replicas = new ArrayList<>();
    private ChildProcess nginx;
    private boolean closed;

    /** One replica: a fixed port and data directory, and the process currently serving them (null when down). */
    static final class Replica {
        final int index;
        final int port;
        /** Its public DERP relay's port (fixed across restarts, like its API port). */
        final int derpPort;

        final Path dataDir;
        ChildProcess process;
        int starts;

        Replica(int index, int port, int derpPort, Path dataDir) {
            this.index = index;
            this.port = port;
            this.derpPort = derpPort;
            this.dataDir = dataDir;
        }

        String address() {
            return "127.0.0.1:" + port;
        }
    }

    private LoadBalancedReplicas(Path dir, String dbUrl, int lbPort, Path caFile) {
        this.dir = dir;
        this.dbUrl = dbUrl;
        this.lbPort = lbPort;
        this.caFile = caFile;
    }

    static boolean available() {
        return Postgres.available() && NginxBalancer.available();
    }

    /** Starts the database, {@code n} replicas (at once) and the balancer; closes whatever started if one fails. */
    static LoadBalancedReplicas start(int n) throws Exception {
        Path dir = Files.createTempDirectory("nexodus-lb-");
        LoadBalancedReplicas lab = null;
        try {
            String db = Postgres.get().newDatabase();
            int lb = FreePorts.tcp();
            SelfSignedCa ca = SelfSignedCa.loadOrCreate(
                    dir.resolve("ca.pem"), dir.resolve("ca.key"), "load balancer test CA", null, Clock.systemUTC());
            ServerCertificate cert = ca.issue(List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
            SecretFiles.writePublic(dir.resolve("lb.pem"), Pem.encode(cert.chain()));
            SecretFiles.writeSecret(dir.resolve("lb.key"), Pem.encode(cert.key()));
            lab = new LoadBalancedReplicas(dir, db, lb, ca.certificateFile());
            // a test JVM stopped by a timeout (SIGTERM) still stops the replicas and nginx
            Runtime.getRuntime().addShutdownHook(new Thread(lab::close, "lb-teardown"));
            for (int i = 0; i < n; i++) {
                lab.replicas.add(new Replica(i, FreePorts.tcp(), FreePorts.tcp(), dir.resolve("replica-" + i)));
            }
            LoadBalancedReplicas l = lab;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> starts = new ArrayList<>();
                for (Replica r : lab.replicas) {
                    starts.add(pool.submit(() -> {
                        l.startReplica(r.index);
                        return null;
                    }));
                }
                for (Future<?> f : starts) {
                    f.get();
                }
            }
            lab.startNginx();
            return lab;
        } catch (Exception | Error e) {
            if (lab != null) {
                lab.close();
            } else {
                deleteTree(dir);
            }
            throw e;
        }
    }

    URI url() {
        return URI.create("https://127.0.0.1:" + lbPort);
    }

    TlsOptions tls() {
        return TlsOptions.trusting(caFile);
    }

    Path dir() {
        return dir;
    }

    List<Replica> replicas() {
        return replicas;
    }

    Replica replica(int i) {
        return replicas.get(i);
    }

    /** A client of the balancer's URL, trusting its CA, with a user agent the balancer's access log records. */
    NexodusClient client(String token, String userAgent) {
        return NexodusClient.builder(url())
                .tls(tls())
                .userAgent(userAgent)
                .bearerToken(token)
                .build();
    }

    /** The admin's access token, logging in through the balancer (discovery names the balancer: the shared --url). */
    String adminToken() {
        return OidcClient.discover(client(null, "lab-login"))
                .passwordGrant("admin", ADMIN_PASSWORD)
                .accessToken();
    }

    /** A JDBC connection to the replicas' database (to check what is committed). */
    Connection database() throws SQLException {
        return DriverManager.getConnection(dbUrl, "postgres", "");
    }

    /** Starts replica {@code i} on its port and data directory and waits until it serves. */
    void startReplica(int i) {
        Replica r = replicas.get(i);
        r.starts++;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = List.of(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                "io.nexodus.server.Main",
                "serve",
                "--listen",
                r.address(),
                "--data-dir",
                r.dataDir.toString(),
                "--db-url",
                dbUrl,
                "--db-user",
                "postgres",
                "--url",
                url().toString(),
                "--stun-ports",
                FreePorts.udp() + "," + FreePorts.udp(),
                "--derp-listen",
                "127.0.0.1:" + r.derpPort);
        ChildProcess p = ChildProcess.start(
                dir.resolve("replica-" + i + "-run" + r.starts + ".log"),
                Map.of("NEXAPI_ADMIN_PASSWORD", ADMIN_PASSWORD, "NEXAPI_DERP_MESH_KEY", DERP_MESH_KEY),
                argv);
        r.process = p;
        // the banner names the shared public URL, not this replica's port: its own readiness says it serves
        p.awaitOutput("is serving ", Duration.ofMinutes(2));
        try {
            awaitReady(i, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code kill -9} of replica {@code i}: a crash, no graceful stop. */
    void kill(int i) {
        Replica r = replicas.get(i);
        r.process.kill();
        r.process = null;
    }

    /** SIGTERM to replica {@code i}, waiting for its graceful stop (streams ended, requests drained). */
    void stop(int i) {
        Replica r = replicas.get(i);
        r.process.close();
        r.process = null;
    }

    /** Waits until replica {@code i} itself (not the balancer) answers {@code /private/ready} with 200. */
    void awaitReady(int i, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://" + replicas.get(i).address() + "/private/ready");
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("replica " + i + " not ready after " + timeout);
    }

    /** One Prometheus gauge or counter of replica {@code i}, read from its own port (observation, not a client). */
    double metric(int i, String name) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://" + replicas.get(i).address() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().lines().toList()) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    /** The balancer's access log: one line per request, {@code user-agent|method uri|status|upstream(s)|time}. */
    List<String> accessLog() throws IOException {
        Path log = dir.resolve("nginx").resolve("access.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private void startNginx() throws IOException {
        Path ng = Files.createDirectories(dir.resolve("nginx"));
        Path confFile = ng.resolve("nginx.conf");
        Files.writeString(
                confFile,
                NginxBalancer.config(
                        ng,
                        "127.0.0.1:" + lbPort,
                        dir.resolve("lb.pem"),
                        dir.resolve("lb.key"),
                        replicas.stream().map(Replica::address).toList()));
        nginx = ChildProcess.start(ng.resolve("nginx.out"), NginxBalancer.command(confFile, ng));
        HttpClient http = HttpClient.newBuilder().sslContext(tls().sslContext()).build();
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            try {
                int status = http.send(
                                HttpRequest.newBuilder(url().resolve("/private/ready"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (!nginx.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("nginx did not serve " + url() + ":\n" + nginx.output() + "\n"
                        + Files.readString(ng.resolve("error.log")));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** The logs of every process, for a failing test's message. */
    String logs() {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                String text = Files.readString(p);
                b.append("==== ")
                        .append(p.getFileName())
                        .append('\n')
                        .append(text, Math.max(0, text.length() - 4000), text.length())
                        .append('\n');
            }
            Path err = dir.resolve("nginx").resolve("error.log");
            if (Files.exists(err)) {
                String text = Files.readString(err);
                b.append("==== nginx error.log\n").append(text, Math.max(0, text.length() - 4000), text.length());
            }
        } catch (IOException e) {
            b.append("cannot read the logs: ").append(e.getMessage());
        }
        return b.toString();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (nginx != null) {
            nginx.close();
        }
        for (Replica r : replicas) {
            if (r.process != null) {
                r.process.close();
                r.process = null;
            }
        }
        if (System.getProperty("nexodus.lb.keep") == null) {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) {
        try {
            WorkDirs.delete(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
