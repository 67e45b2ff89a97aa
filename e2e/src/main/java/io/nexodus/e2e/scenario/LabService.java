package io.nexodus.e2e.scenario;

import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.auth.OidcTokenSource;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.e2e.lab.JavaCommand;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.testkit.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The real Nexodus service ({@code io.nexodus.server.Main serve}) on a lab host: HTTPS with its self-signed CA on
 * 8443, its embedded STUN server on 3478/3479, name {@code service.nexodus.lab} in every node's hosts file. The test JVM reaches its API
 * through a {@link NamespaceBridge} on loopback (as the admin), the agents reach it inside the lab.
 */
public final class LabService implements AutoCloseable {
    public static final String HOST_NAME = "service.nexodus.lab";
    public static final int PORT = 8443;
    static final String ADMIN = "admin";

    private final LabHost host;
    private final Path dataDir;
    private final String adminPassword;
    private ChildProcess process;
    private NamespaceBridge bridge;
    private NexodusClient admin;

    private LabService(LabHost host, Path dataDir, String adminPassword) {
        this.host = host;
        this.dataDir = dataDir;
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

    /** The CA agents trust ({@code nexd --ca-cert}). */
    public Path caFile() {
        return dataDir.resolve("tls").resolve("ca.pem");
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
        process.kill();
    }

    /** Starts the service again on the same data (database, CA, admin password). */
    public void restart() {
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
    }
}
