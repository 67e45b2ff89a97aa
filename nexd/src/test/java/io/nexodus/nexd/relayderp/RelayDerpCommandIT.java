package io.nexodus.nexd.relayderp;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.SelfSignedCa;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.derp.crypto.KeyFile;
import io.nexodus.derp.tls.CertDir;
import io.nexodus.stun.BindingResult;
import io.nexodus.stun.StunClient;
import io.nexodus.stun.StunClientConfig;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.FreePorts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nexd relayderp} as a real process (its own {@code main}): it serves DERP over TLS and STUN, keeps its key file
 * across restarts, uses certificates made by a test CA (manual mode, the agent's certmodemanual case: dial an IP,
 * verify the hostname) or its own CA (self-signed mode), and refuses letsencrypt.
 */
class RelayDerpCommandIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private ChildProcess relayderp(String name, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> argv = new ArrayList<>(List.of(
                java, "-Xmx128m", "-cp", System.getProperty("java.class.path"), RelayDerpCommand.class.getName()));
        argv.addAll(List.of(args));
        return ChildProcess.start(dir.resolve(name + ".log"), argv);
    }

    @SuppressWarnings("ArrayRecordComponent") // what arrived, compared by the test through data()
    private record Got(NodePublicKey source, byte[] data) {}

    /** Two clients exchange a packet each way through the relay; returns the relay's key as the clients saw it. */
    private static NodePublicKey exchange(URI url, InetSocketAddress dial, SSLContext trust) throws Exception {
        NodePrivateKey ka = NodePrivateKey.generate();
        NodePrivateKey kb = NodePrivateKey.generate();
        BlockingQueue<Got> toA = new LinkedBlockingQueue<>();
        BlockingQueue<Got> toB = new LinkedBlockingQueue<>();
        DerpClientListener la = (s, p) -> toA.add(new Got(s, p));
        DerpClientListener lb = (s, p) -> toB.add(new Got(s, p));
        try (DerpClient a = DerpClient.start(
                        DerpClientConfig.builder(url, ka)
                                .sslContext(trust)
                                .dialAddress(dial)
                                .build(),
                        la);
                DerpClient b = DerpClient.start(
                        DerpClientConfig.builder(url, kb)
                                .sslContext(trust)
                                .dialAddress(dial)
                                .build(),
                        lb)) {
            assertThat(a.awaitConnected(WAIT)).as("a connects").isTrue();
            assertThat(b.awaitConnected(WAIT)).as("b connects").isTrue();
            assertThat(a.send(kb.publicKey(), "over the relay".getBytes(StandardCharsets.UTF_8)))
                    .isTrue();
            Got g = toB.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(g).isNotNull();
            assertThat(g.source()).isEqualTo(ka.publicKey());
            assertThat(new String(g.data(), StandardCharsets.UTF_8)).isEqualTo("over the relay");
            assertThat(b.send(ka.publicKey(), new byte[1300])).isTrue();
            g = toA.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(g).isNotNull();
            assertThat(g.data()).hasSize(1300);
            return a.serverKey().orElseThrow();
        }
    }

    @Test
    void manualCertificatesFromTheUsersCaStunAndAKeptKey() throws Exception {
        // the user's CA (elsewhere) issues relay.nexodus.test's certificate into the cert dir
        Path userCa = dir.resolve("user-ca");
        Path certs = dir.resolve("certs");
        Files.createDirectories(certs);
        SelfSignedCa ca = new CertDir(userCa).selfSignedCa(Clock.systemUTC());
        new CertDir(certs).issue(ca, "relay.nexodus.test");
        Path state = dir.resolve("state");
        int port = FreePorts.tcp();
        int stunPort = FreePorts.udp();
        String[] args = {
            "--hostname",
            "relay.nexodus.test",
            "--addr",
            "127.0.0.1:" + port,
            "--certmode",
            "manual",
            "--certdir",
            certs.toString(),
            "--stun-port",
            Integer.toString(stunPort),
            "--state-dir",
            state.toString()
        };
        URI url = URI.create("https://relay.nexodus.test:" + port + "/derp");
        InetSocketAddress dial =
                new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), port); // the host entry the agent would add
        SSLContext trust = TrustBundles.trusting(ca.certificateFile());
        NodePublicKey first;
        try (ChildProcess p = relayderp("manual", args)) {
            p.awaitOutput("STUN: +udp /?127\\.0\\.0\\.1:" + stunPort, WAIT);
            assertThat(p.output())
                    .contains("DERP relay https://relay.nexodus.test:" + port + "/derp")
                    .contains("TLS:       " + certs.resolve("relay.nexodus.test.crt"));
            first = exchange(url, dial, trust);

            try (StunClient stun = StunClient.open(
                    new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), StunClientConfig.defaults())) {
                BindingResult r = stun.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), stunPort));
                assertThat(r).isInstanceOf(BindingResult.Success.class);
                assertThat(r.mappedAddress()).contains(stun.localAddress().orElseThrow());
            }
        }
        Path keyFile = state.resolve("derper.key");
        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(keyFile)).startsWith("{\"PrivateKey\": \"privkey:");
        assertThat(KeyFile.load(keyFile).publicKey()).isEqualTo(first);

        try (ChildProcess again = relayderp("manual-again", args)) {
            again.awaitOutput("STUN:", WAIT);
            assertThat(again.output()).contains(first.toString());
            assertThat(exchange(url, dial, trust))
                    .as("same identity after a restart")
                    .isEqualTo(first);
        }
    }

    @Test
    void selfSignedModeMakesACaForClientsAndLetsEncryptIsRefused() throws Exception {
        int port = FreePorts.tcp();
        Path state = dir.resolve("state");
        try (ChildProcess p = relayderp(
                "self-signed",
                "--hostname",
                "127.0.0.1",
                "--addr",
                "127.0.0.1:" + port,
                "--no-stun",
                "--state-dir",
                state.toString())) {
            // the suggested command is the last line printed
            p.awaitOutput("nexctl relay create .*--relay-ca", WAIT);
            Path caFile = state.resolve("derp-certs/ca.crt");
            assertThat(p.output())
                    .contains("clients trust " + caFile)
                    .contains("nexctl relay create --region-code <code> --hostname 127.0.0.1 --derp-port " + port
                            + " --stun-port -1 --relay-ca " + caFile);
            exchange(
                    URI.create("https://127.0.0.1:" + port + "/derp"),
                    new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), port),
                    TrustBundles.trusting(caFile));
        }

        try (ChildProcess le =
                relayderp("letsencrypt", "--hostname", "relay.nexodus.test", "--certmode", "letsencrypt")) {
            assertThat(le.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(le.process().exitValue()).isEqualTo(2);
            assertThat(le.output())
                    .contains("--certmode letsencrypt is not available")
                    .contains("Try 'nexd relayderp --help'");
        }

        // a port in use: a clear error, exit 1
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ChildProcess busy = relayderp(
                        "busy",
                        "--hostname",
                        "127.0.0.1",
                        "--addr",
                        "127.0.0.1:" + taken.getLocalPort(),
                        "--no-stun",
                        "--state-dir",
                        state.toString())) {
            assertThat(busy.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(busy.process().exitValue()).isEqualTo(1);
            assertThat(busy.output()).contains("nexd relayderp: cannot start: cannot listen on");
        }
    }
}
