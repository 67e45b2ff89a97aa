package io.nexodus.e2e.scenario;

import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.auth.OidcTokenSource;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.core.tls.Pem;
import io.nexodus.core.tls.SecretFiles;
import io.nexodus.core.tls.SelfSignedCa;
import io.nexodus.core.tls.ServerCertificate;
import io.nexodus.e2e.lab.JavaCommand;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.NginxBalancer;
import io.nexodus.testkit.Postgres;
import io.nexodus.testkit.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The real Nexodus service ({@code io.nexodus.server.Main serve}) on a lab host: HTTPS with its self-signed CA on
 * 8443, its embedded STUN server on 3478/3479, name {@code service.nexodus.lab} in every node's hosts file. The test JVM reaches its API
 * through a {@link NamespaceBridge} on loopback (as the admin), the agents reach it inside the lab.
 *
 * <p>{@link #startReplicated} runs it as production does instead: a PostgreSQL cluster of its own and N replicas on
 * ports 18081... (all addresses: the embedded STUN server binds where the API listens; nginx reaches them on
 * loopback), Debian's nginx on 8443 in front terminating TLS with a CA made here
 * ({@link NginxBalancer}); agents see one URL. Replica 0 answers STUN on 3478/3479 (one UDP port cannot be shared
 * between processes; the others use ports nobody asks). Each replica runs its public DERP relay on 443 of an address of
 * its own ({@link #derpAddress}: the host's for replica 0, one more address on the host's segment for each other),
 * as replicas on separate machines or pods would: all named {@code service.nexodus.lab} (the URL's host, so the
 * relay's URL is the same for all), each dialled at its own IP ({@code --derp-advertise}), each with its own
 * self-signed CA (published per node, so agents trust it), meshed through the shared database under one
 * {@code --derp-mesh-key}. Those extra addresses go with a network reset ({@code NatLab#resetNetwork}): a scenario
 * class with a replicated service stops its agents without one.
 */
public final class LabService implements AutoCloseable {
    public static final String HOST_NAME = "service.nexodus.lab";
    public static final int PORT = 8443;
    static final String ADMIN = "admin";
    private static final int PG_PORT = 5432;
    private static final int FIRST_REPLICA_PORT = 18081;
    /** Every replica's DERP relay listens on the standard port, each on its own address. */
    public static final int DERP_PORT = 443;

    private final LabHost host;
    private final Path dataDir;
    private final String adminPassword;
    /** Replicated: the replicas' processes (null while one is down); empty for a single service. */
    private final List<ChildProcess> replicas = new ArrayList<>();
    /** Replicated: where each replica's DERP relay listens and is dialled. */
    private final List<String> derpAddresses = new ArrayList<>();
    /** Replicated: the replicas' shared DERP mesh key (64 hex digits). */
    private final String derpMeshKey = HexFormat.of().formatHex(randomBytes(32));

    private ChildProcess process;
    private ChildProcess postgres;
    private ChildProcess nginx;
    private Path pgDir;
    private NamespaceBridge bridge;
    private NexodusClient admin;

    private LabService(LabHost host, Path dataDir, String adminPassword) {
        this.host = host;
        this.dataDir = dataDir.toAbsolutePath();
        this.adminPassword = adminPassword;
    }

    /** Starts the service on {@code host} with a fresh data directory under the host's directory. */
    public static LabService start(NatLab lab, LabHost host) {
        lab.addHostsEntryEverywhere(host.address(), HOST_NAME);
        LabService s = new LabService(
                host,
                host.dir().resolve("service-data-" + System.nanoTime()),
                "lab-" + Long.toHexString(System.nanoTime()));
        s.startProcess();
        return s;
    }

    /**
     * Starts {@code n} replicas on one PostgreSQL cluster behind nginx on {@code host}, all in the host's namespace;
     * returns once the balancer answers. Everything stops with {@link #close()} (and with the host's processes).
     */
    public static LabService startReplicated(NatLab lab, LabHost host, int n) {
        lab.addHostsEntryEverywhere(host.address(), HOST_NAME);
        LabService s = new LabService(
                host,
                host.dir().resolve("service-data-" + System.nanoTime()),
                "lab-" + Long.toHexString(System.nanoTime()));
        try {
            s.startCluster(n);
        } catch (IOException e) {
            s.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void startCluster(int n) throws IOException {
        Files.createDirectories(dataDir);
        // the cluster's files belong to the postgres user, which must reach them
        Path pg = Files.createTempDirectory("nexodus-lab-pg-");
        host.exec("chown", "postgres:postgres", pg.toString());
        host.exec(Postgres.initdbAsPostgresUser(pg.resolve("data")).toArray(String[]::new));
        pgDir = pg;
        postgres = host.spawn(
                "postgres",
                List.of(
                        "runuser",
                        "-u",
                        "postgres",
                        "--",
                        Postgres.binary("postgres").toString(),
                        "-D",
                        pg.resolve("data").toString(),
                        "-p",
                        Integer.toString(PG_PORT),
                        "-k",
                        pg.toString(),
                        "-c",
                        "listen_addresses=127.0.0.1",
                        "-c",
                        "fsync=off",
                        "-c",
                        "max_connections=200"));
        postgres.awaitOutput("ready to accept connections", Duration.ofSeconds(60));

        SelfSignedCa ca = SelfSignedCa.loadOrCreate(
                dataDir.resolve("lb-ca.pem"), dataDir.resolve("lb-ca.key"), "lab balancer CA", null, Clock.systemUTC());
        ServerCertificate cert = ca.issue(List.of(HOST_NAME, host.address(), "127.0.0.1"), Duration.ofDays(1));
        SecretFiles.writePublic(dataDir.resolve("lb.pem"), Pem.encode(cert.chain()));
        SecretFiles.writeSecret(dataDir.resolve("lb.key"), Pem.encode(cert.key()));

        List<Thread> starts = new ArrayList<>();
        List<RuntimeException> failures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            replicas.add(null);
            derpAddresses.add(i == 0 ? host.address() : host.addAddress());
        }
        for (int i = 0; i < n; i++) {
            int index = i;
            // at the same moment, as an orchestrator starts them: first-start steps must be safe under that
            starts.add(Thread.ofVirtual().start(() -> {
                try {
                    startReplica(index);
                } catch (RuntimeException e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread t : starts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
        Path ng = Files.createDirectories(dataDir.resolve("nginx"));
        Path conf = ng.resolve("nginx.conf");
        List<String> upstreams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            upstreams.add(replicaAddress(i));
        }
        Files.writeString(
                conf,
                NginxBalancer.config(
                        ng,
                        host.address() + ":" + PORT,
                        dataDir.resolve("lb.pem"),
                        dataDir.resolve("lb.key"),
                        upstreams));
        nginx = host.spawn("nginx", NginxBalancer.command(conf, ng));
        bridge = NamespaceBridge.open(host.namespace(), new InetSocketAddress(host.address(), PORT));
        awaitBalancer(Duration.ofSeconds(30));
    }

    private static String replicaAddress(int i) {
        return "127.0.0.1:" + (FIRST_REPLICA_PORT + i);
    }

    /** Starts replica {@code i} (again) on its port and data directory and waits until it is ready. */
    public void startReplica(int i) {
        List<String> stun = i == 0
                ? List.of("3478", "3479")
                : List.of(Integer.toString(3480 + 2 * i), Integer.toString(3481 + 2 * i));
        ChildProcess p = host.startJava(
                "replica-" + i,
                JavaCommand.of(
                                "io.nexodus.server.Main",
                                "serve",
                                "--listen", // STUN binds on the listener's address
                                "0.0.0.0:" + (FIRST_REPLICA_PORT + i),
                                "--data-dir",
                                dataDir.resolve("replica-" + i).toString(),
                                "--db-url",
                                "jdbc:postgresql://127.0.0.1:" + PG_PORT + "/postgres",
                                "--db-user",
                                "postgres",
                                "--admin-password",
                                adminPassword,
                                "--url",
                                url(),
                                "--stun-ports",
                                String.join(",", stun),
                                "--derp-listen",
                                derpAddress(i) + ":" + DERP_PORT,
                                "--derp-advertise",
                                derpAddress(i))
                        .withEnv("NEXAPI_DERP_MESH_KEY", derpMeshKey)
                        .withJvmArgs("-Xmx256m", "-XX:+UseSerialGC"));
        synchronized (replicas) {
            replicas.set(i, p);
        }
        // printed once /private/ready answers 200
        p.awaitOutput("is serving", Duration.ofMinutes(2));
    }

    /** {@code kill -9} of replica {@code i}: a crash. */
    public void killReplica(int i) {
        ChildProcess p = replica(i);
        p.kill();
    }

    /** SIGTERM to replica {@code i}, waiting for its graceful stop. */
    public void stopReplica(int i) {
        replica(i).close();
    }

    public int replicaCount() {
        return replicas.size();
    }

    /** The address replica {@code i}'s DERP relay listens on (port {@link #DERP_PORT}) and publishes. */
    public String derpAddress(int i) {
        return derpAddresses.get(i);
    }

    /** The replica whose DERP relay is at {@code address}, or -1. */
    public int replicaOfDerpAddress(String address) {
        return derpAddresses.indexOf(address);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private ChildProcess replica(int i) {
        synchronized (replicas) {
            return replicas.get(i);
        }
    }

    /** Polls the balancer's {@code /private/ready} through the bridge until it answers 200. */
    private void awaitBalancer(Duration timeout) {
        HttpClient http = HttpClient.newBuilder()
                .sslContext(TlsOptions.trusting(caFile()).sslContext())
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        URI ready = URI.create("https://127.0.0.1:" + bridge.port() + "/private/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                int status = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status == 200) {
                    return;
                }
                last = "status " + status;
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException(
                "the balancer is not ready after " + timeout + " (" + last + "):\n" + nginx.output());
    }

    private void startProcess() {
        process = host.startJava(
                "service",
                JavaCommand.of(
                                "io.nexodus.server.Main",
                                "serve",
                                "--listen",
                                "0.0.0.0:" + PORT,
                                "--tls",
                                "self-signed",
                                "--data-dir",
                                dataDir.toString(),
                                "--admin-password",
                                adminPassword,
                                "--url",
                                url())
                        .withJvmArgs("-Xmx384m"));
        process.awaitOutput("is serving", Duration.ofSeconds(90));
        if (bridge == null) {
            try {
                bridge = NamespaceBridge.open(host.namespace(), new InetSocketAddress(host.address(), PORT));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        admin = null;
    }

    /** The URL agents use. */
    public String url() {
        return "https://" + HOST_NAME + ":" + PORT;
    }

    /** The CA agents trust ({@code nexd --ca-cert}): the service's own, or the balancer's when replicated. */
    public Path caFile() {
        return replicas.isEmpty() ? dataDir.resolve("tls").resolve("ca.pem") : dataDir.resolve("lb-ca.pem");
    }

    public LabHost host() {
        return host;
    }

    public ChildProcess process() {
        return process;
    }

    /** An API client logged in as the built-in admin, from the test JVM (through the bridge). */
    public synchronized NexodusClient admin() {
        if (admin == null) {
            URI base = URI.create("https://127.0.0.1:" + bridge.port());
            TlsOptions tls = TlsOptions.trusting(caFile());
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .sslContext(tls.sslContext())
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            OidcClient idp =
                    new OidcClient(http, url(), "nexodus-cli", base.resolve("/oauth/token"), null, Duration.ZERO);
            TokenResponse t = idp.passwordGrant(ADMIN, adminPassword);
            admin = NexodusClient.builder(base)
                    .tls(tls)
                    .userAgent("nexodus-e2e")
                    .bearerToken(new OidcTokenSource(idp, t, Clock.systemUTC(), x -> {}))
                    .build();
        }
        return admin;
    }

    /** Kills the service process (SIGKILL: a crash). Agents keep running. */
    public void kill() {
        requireSingle();
        process.kill();
    }

    private void requireSingle() {
        if (!replicas.isEmpty()) {
            throw new IllegalStateException("a replicated service: use killReplica / stopReplica / startReplica");
        }
    }

    /** Starts the service again on the same data (database, CA, admin password). */
    public void restart() {
        requireSingle();
        if (process.isAlive()) {
            process.close();
        }
        startProcess();
    }

    @Override
    public void close() {
        if (bridge != null) {
            bridge.close();
        }
        if (process != null) {
            process.close();
        }
        if (nginx != null) {
            nginx.close();
        }
        for (ChildProcess r : replicas) {
            if (r != null) {
                r.close();
            }
        }
        if (postgres != null) {
            postgres.close();
        }
        if (pgDir != null) {
            try {
                WorkDirs.delete(pgDir);
            } catch (IOException e) {
                System.err.println("cannot delete " + pgDir + ": " + e.getMessage());
            }
        }
    }
}
