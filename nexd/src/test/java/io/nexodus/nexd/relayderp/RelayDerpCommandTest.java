package io.nexodus.nexd.relayderp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.model.RelayMetadata;
import io.nexodus.derp.http.TlsMode;
import io.nexodus.testkit.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flag parsing and validation of {@code nexd relayderp} (nothing is started except where a test says so). */
class RelayDerpCommandTest {
    @TempDir
    Path dir;

    private static RelayDerpConfig parse(String... args) {
        RelayDerpCommand cmd = new RelayDerpCommand();
        RelayDerpCommand.commandLine(cmd).parseArgs(args);
        return cmd.toConfig("/home/alice", false);
    }

    private static String usageError(String... args) {
        assertThatThrownBy(() -> parse(args)).isInstanceOf(CommandLine.ParameterException.class);
        try {
            parse(args);
            return "";
        } catch (CommandLine.ParameterException e) {
            return e.getMessage();
        }
    }

    private record Run(int code, String out, String err) {}

    private static Run run(RelayDerpCommand cmd, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = RelayDerpCommand.commandLine(cmd);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void defaultsAreUpstreams() {
        RelayDerpConfig c = parse("--hostname", "relay.example.com");
        assertThat(c.addr()).isEqualTo(new InetSocketAddress(443));
        assertThat(c.hostname()).isEqualTo("relay.example.com");
        assertThat(c.certMode()).isEqualTo(TlsMode.SELF_SIGNED);
        assertThat(c.certDir()).isEqualTo(Path.of("/home/alice/.nexodus/derp-certs"));
        assertThat(c.keyFile()).isEqualTo(Path.of("/home/alice/.nexodus/derper.key"));
        assertThat(c.stun()).isTrue();
        assertThat(c.stunPort()).isEqualTo(3478);
        assertThat(c.acceptConnectionLimit()).isInfinite();
        assertThat(c.acceptConnectionBurst()).isEqualTo(Integer.MAX_VALUE);
        assertThat(c.meshKey()).isEmpty();
        assertThat(c.onboard()).isFalse();
        assertThat(c.certModeManual())
                .as("self-signed: agents need the user's CA")
                .isTrue();

        RelayDerpCommand root = new RelayDerpCommand();
        RelayDerpCommand.commandLine(root).parseArgs("--hostname", "r");
        assertThat(root.toConfig("/home/alice", true).keyFile()).isEqualTo(Path.of("/var/lib/nexd/derper.key"));
    }

    @Test
    void everyFlag() throws Exception {
        Path psk = dir.resolve("mesh.key");
        Files.writeString(psk, "ab".repeat(32) + "\n");
        RelayDerpConfig c = parse(
                "--hostname",
                "203.0.113.10",
                "--addr",
                "203.0.113.10:8443",
                "--certmode",
                "manual",
                "--certdir",
                "/etc/derp",
                "--stun-port",
                "3479",
                "--accept-connection-limit",
                "50",
                "--accept-connection-burst",
                "100",
                "--mesh-psk-file",
                psk.toString(),
                "--mesh-with",
                "relay2.lab,https://relay3.lab:8443/derp",
                "--state-dir",
                "/srv/nexd",
                "--onboard");
        assertThat(c.addr()).isEqualTo(new InetSocketAddress("203.0.113.10", 8443));
        assertThat(c.certMode()).isEqualTo(TlsMode.MANUAL);
        assertThat(c.certModeManual()).isTrue();
        assertThat(c.certDir()).isEqualTo(Path.of("/etc/derp"));
        assertThat(c.keyFile()).isEqualTo(Path.of("/srv/nexd/derper.key"));
        assertThat(c.stunPort()).isEqualTo(3479);
        assertThat(c.acceptConnectionLimit()).isEqualTo(50.0);
        assertThat(c.acceptConnectionBurst()).isEqualTo(100);
        assertThat(c.meshKey()).isPresent();
        assertThat(c.meshWith()).containsExactly("relay2.lab", "https://relay3.lab:8443/derp");
        assertThat(c.onboard()).isTrue();
        assertThat(parse("--hostname", "r", "-c", "/k.json").keyFile()).isEqualTo(Path.of("/k.json"));
        assertThat(parse("--hostname", "r", "--addr", "[::1]:443").addr())
                .isEqualTo(new InetSocketAddress(InetAddress.ofLiteral("::1"), 443));
        assertThat(parse("--hostname", "r", "--stun=false").stun()).isFalse();
        assertThat(parse("--hostname", "r", "--no-stun").stun()).isFalse();
        assertThat(parse("--hostname", "r", "--mesh-key", "cd".repeat(32)).meshKey())
                .isPresent();
    }

    @Test
    void devModeIsPlainHttpOn3340() {
        RelayDerpConfig c = parse("--dev");
        assertThat(c.certMode()).isEqualTo(TlsMode.NONE);
        assertThat(c.addr().getPort()).isEqualTo(3340);
        assertThat(c.hostname()).isEqualTo("localhost");
        assertThat(c.certModeManual()).isFalse();
    }

    @Test
    void badInputIsAClearUsageError() {
        assertThat(usageError("--hostname", "r", "--certmode", "letsencrypt"))
                .contains("--certmode letsencrypt is not available")
                .contains("--certmode manual")
                .contains("self-signed");
        assertThat(usageError("--hostname", "r", "--certmode", "acme")).contains("manual or self-signed");
        assertThat(usageError("--hostname", "r", "--certmode", "none")).contains("use --dev");
        assertThat(usageError()).contains("--hostname is required");
        assertThat(usageError("--hostname", "bad name!")).contains("not a DNS name or IP address");
        assertThat(usageError("--hostname", "r", "--addr", "443")).contains("--addr needs [HOST]:PORT");
        assertThat(usageError("--hostname", "r", "--addr", "relay.lab:443")).contains("not an IP address");
        assertThat(usageError("--hostname", "r", "--addr", ":99999")).contains("out of range");
        assertThat(usageError("--hostname", "r", "--stun-port", "0")).contains("--stun-port must be 1-65535");
        assertThat(usageError("--hostname", "r", "--accept-connection-limit", "0"))
                .contains("must be positive");
        assertThat(usageError("--hostname", "r", "--accept-connection-burst", "0"))
                .contains("at least 1");
        assertThat(usageError("--hostname", "r", "--mesh-with", "relay2.lab")).contains("--mesh-with needs a mesh key");
        assertThat(usageError("--hostname", "r", "--mesh-key", "abc")).contains("64 hex digits");
        assertThat(usageError("--hostname", "r", "--mesh-key", "ab".repeat(32), "--mesh-psk-file", "/x"))
                .contains("exclude each other");
        assertThat(usageError(
                        "--hostname",
                        "r",
                        "--mesh-psk-file",
                        dir.resolve("missing").toString()))
                .contains("cannot read");
        assertThat(usageError("--dev", "--onboard")).contains("--onboard needs TLS");
    }

    @Test
    void helpExplainsEveryFlag() {
        Run r = run(new RelayDerpCommand(), "--help");
        assertThat(r.code()).isZero();
        for (String flag : List.of(
                "--hostname",
                "--addr",
                "--certmode",
                "--certdir",
                "--stun",
                "--stun-port",
                "--accept-connection-limit",
                "--accept-connection-burst",
                "--mesh-key",
                "--mesh-psk-file",
                "--mesh-with",
                "--state-dir",
                "--key-file",
                "--dev",
                "--onboard",
                "NEXD_DERP_")) {
            assertThat(r.out()).contains(flag);
        }
        assertThat(RelayDerpCommand.execute(new String[] {"--certmode", "letsencrypt", "--hostname", "r"}))
                .isEqualTo(2);
    }

    /** Until the agent provides the join flow, --onboard fails loudly (after the relay started) and stops the relay. */
    @Test
    void onboardIsNotAvailableInThisBuild() {
        Run r = run(
                new RelayDerpCommand(),
                "--hostname",
                "127.0.0.1",
                "--addr",
                "127.0.0.1:0",
                "--stun-port",
                Integer.toString(FreePorts.udp()),
                "--state-dir",
                dir.toString(),
                "--onboard");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--onboard failed: --onboard is not available in this build");
        assertThat(r.out()).contains("nexd relayderp: DERP relay https://127.0.0.1:");
    }

    /** The hook the agent fills in: it gets the metadata to publish and the running relay. */
    @Test
    void onboardingGetsTheRelayMetadata() {
        AtomicReference<RelayMetadata> seen = new AtomicReference<>();
        RelayOnboarding failing = (metadata, relay) -> {
            seen.set(metadata);
            assertThat(relay.url().toString()).startsWith("https://relay.lab:");
            throw new IllegalStateException("join refused by the test");
        };
        Run r = run(
                new RelayDerpCommand(failing),
                "--hostname",
                "relay.lab",
                "--addr",
                "127.0.0.1:0",
                "--no-stun",
                "--state-dir",
                dir.toString(),
                "--onboard");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("join refused by the test");
        assertThat(seen.get()).isEqualTo(new RelayMetadata("derp", "relay.lab", true));
    }
}
