package io.nexodus.nexd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.nexd.agent.AgentConfig;
import io.nexodus.nexd.state.NexdState;
import io.nexodus.nexd.state.StateStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NexdOptionsTest {
    private static AgentConfig config(String... args) {
        return config(Map.of(), args);
    }

    private static AgentConfig config(Map<String, String> env, String... args) {
        return NexdCommand.parse(args).toConfig(AgentConfig.Mode.AGENT, env, true, "/home/u", "host1");
    }

    @Test
    void regKeyUrlFormNamesTheServiceAndTheKey() {
        AgentConfig c = config("--reg-key", "https://nexodus.example.com:8443#RK:abc123");
        assertThat(c.serviceUrl()).hasToString("https://nexodus.example.com:8443");
        assertThat(c.regKey()).contains("RK:abc123");
        assertThat(c.stunServers()).containsExactly("nexodus.example.com:3478", "nexodus.example.com:3479");
    }

    @Test
    void regKeyUrlFormExcludesServiceUrlVpcAndSecurityGroup() {
        assertThatThrownBy(() -> config("--reg-key", "https://a#RK:x", "--service-url", "https://b"))
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> config(
                        "--reg-key",
                        "https://a#RK:x",
                        "--vpc-id",
                        UUID.randomUUID().toString()))
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> config(
                        "--reg-key", "https://a#", "--vpc-id", UUID.randomUUID().toString()))
                .hasMessageContaining("https://host#RK:");
        assertThatThrownBy(() -> config("--service-url", "https://a", "--reg-key", "nope"))
                .hasMessageContaining("RK:");
    }

    @Test
    void defaultsAsUpstreamForRootAndForOthers() {
        AgentConfig c = config("--service-url", "https://svc.example:8443/", "--reg-key", "RK:k");
        assertThat(c.serviceUrl()).hasToString("https://svc.example:8443");
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/nexd"));
        assertThat(c.controlSocket()).isEqualTo(Path.of("/var/run/nexd.sock"));
        assertThat(c.interfaceName()).isEqualTo("wg0");
        assertThat(c.listenPort()).isZero();
        assertThat(c.timeouts().keepalive()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.usesWireGuardGo()).isFalse();
        assertThat(c.hostname()).isEqualTo("host1");
        AgentConfig user = NexdCommand.parse("--service-url", "https://s", "--reg-key", "RK:k")
                .toConfig(AgentConfig.Mode.AGENT, Map.of(), false, "/home/u", "h");
        assertThat(user.stateDir()).isEqualTo(Path.of("/home/u/.nexodus"));
        assertThat(user.controlSocket()).isEqualTo(Path.of("/home/u/.nexodus/nexd.sock"));
    }

    @Test
    void stunServersMustBeAtLeastTwo() {
        assertThatThrownBy(() ->
                        config("--service-url", "https://s", "--reg-key", "RK:k", "--stun-server", "127.0.0.1:3478"))
                .hasMessageContaining("at least two");
        AgentConfig c = config(
                "--service-url",
                "https://s",
                "--reg-key",
                "RK:k",
                "--stun-server",
                "127.0.0.1:3478",
                "--stun-server",
                "127.0.0.1:3479");
        assertThat(c.stunServers()).containsExactly("127.0.0.1:3478", "127.0.0.1:3479");
    }

    @Test
    void credentialsAreCheckedTogether() {
        assertThatThrownBy(() -> config("--service-url", "https://s", "--reg-key", "RK:k", "--username", "u"))
                .hasMessageContaining("exclude");
        assertThatThrownBy(() -> config("--service-url", "https://s", "--password", "p"))
                .hasMessageContaining("--username");
        assertThat(config("--service-url", "https://s", "--username", "u", "--password", "p")
                        .username())
                .contains("u");
        assertThatThrownBy(() -> config("--reg-key", "RK:k")).hasMessageContaining("no service");
    }

    @Test
    void badValuesGetClearMessages() {
        assertThatThrownBy(() -> config("--service-url", "ftp://s", "--reg-key", "RK:k"))
                .hasMessageContaining("https://");
        assertThatThrownBy(() -> config("--service-url", "https://s", "--reg-key", "RK:k", "--request-ip", "fd00::1"))
                .hasMessageContaining("IPv4");
        assertThatThrownBy(() -> config("--service-url", "https://s", "--reg-key", "RK:k", "--request-ip", "foo"))
                .hasMessageContaining("not an IP");
        assertThatThrownBy(() -> config(
                        "--service-url", "https://s", "--reg-key", "RK:k", "--tunnel-iface", "a-very-long-interface"))
                .hasMessageContaining("1-15");
        assertThatThrownBy(() ->
                        config("--service-url", "https://s", "--reg-key", "RK:k", "--ca-cert", "/nonexistent.pem"))
                .hasMessageContaining("not a readable file");
    }

    @Test
    void environmentVariablesAreTheFlags() {
        // picocli reads ${env:...} defaults from the real environment; NEXD_USE_WIREGUARD_GO comes from the map
        AgentConfig c = config(Map.of("NEXD_USE_WIREGUARD_GO", "1"), "--service-url", "https://s", "--reg-key", "RK:k");
        assertThat(c.wireguardGo()).containsExactly("wireguard-go", "-f");
        assertThat(config(Map.of("NEXD_USE_WIREGUARD_GO", "0"), "--service-url", "https://s", "--reg-key", "RK:k")
                        .usesWireGuardGo())
                .isFalse();
    }

    @Test
    void hiddenTimingFlagsForTests() {
        AgentConfig c = config(
                "--service-url",
                "http://s:8080",
                "--reg-key",
                "RK:k",
                "--peer-up-timeout",
                "3s",
                "--peer-down-timeout",
                "1500ms",
                "--keepalive",
                "2s",
                "--stun-interval",
                "PT1S",
                "--tick",
                "100ms");
        assertThat(c.timeouts().upTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.timeouts().downTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.timeouts().keepalive()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.stunInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.tickInterval()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void flagsWorkBeforeAndAfterTheRelaySubcommand() {
        CommandLine.ParseResult r = new CommandLine(new NexdCommand())
                .parseArgs("--reg-key", "RK:a", "relay", "--service-url", "https://s", "--tunnel-iface", "wg-r");
        NexdCommand root = (NexdCommand) r.commandSpec().userObject();
        assertThat(root.options.regKey).isEqualTo("RK:a");
        assertThat(root.options.serviceUrl).isEqualTo("https://s");
        assertThat(root.options.tunnelInterface).isEqualTo("wg-r");
        assertThat(r.subcommand().commandSpec().name()).isEqualTo("relay");
    }

    @Test
    void helpAndVersionAreThere() {
        StringWriter out = new StringWriter();
        CommandLine cl = NexdCommand.commandLine(new NexdCommand()).setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString())
                .contains("--reg-key", "--stun-server", "--tunnel-iface", "relay", "relayderp", "version")
                .doesNotContain("--peer-up-timeout");
        out.getBuffer().setLength(0);
        assertThat(cl.execute("version")).isZero();
        assertThat(out.toString()).startsWith("nexd version ");
        out.getBuffer().setLength(0);
        assertThat(cl.execute("relay", "--help")).isZero();
        assertThat(out.toString()).contains("WireGuard relay", "51820");
        out.getBuffer().setLength(0);
        // relayderp under nexd: its own flags plus the agent's (for --onboard), one --state-dir shared by both
        assertThat(cl.execute("relayderp", "--help")).isZero();
        assertThat(out.toString())
                .contains("--onboard", "--certmode", "--hostname", "--reg-key", "--service-url", "--state-dir");
    }

    @Test
    void relayderpUnderNexdReadsTheAgentsStateDir() {
        NexdCommand root = new NexdCommand();
        CommandLine.ParseResult r = NexdCommand.commandLine(root)
                .parseArgs(
                        "relayderp",
                        "--hostname",
                        "relay.internal",
                        "--state-dir",
                        "/srv/nexd",
                        "--reg-key",
                        "https://nexodus.example.com#RK:abc");
        assertThat(r.subcommand().commandSpec().name()).isEqualTo("relayderp");
        assertThat(root.options.stateDir).isEqualTo(Path.of("/srv/nexd"));
        assertThat(r.subcommand().commandSpec().findOption("--state-dir").<Path>getValue())
                .isEqualTo(Path.of("/srv/nexd"));
    }

    @Test
    void rejoinReplacesTheKeyPairAndKeepsTheRest(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir);
        NodePrivateKey old = NodePrivateKey.generate();
        store.save(NexdState.EMPTY
                .withKeys(old.publicKey().toBase64(), old.toBase64())
                .withPort(51234));

        String key = NexdCommand.rejoin(dir);

        NexdState now = store.load();
        assertThat(key).isEqualTo(now.publicKey()).isNotEqualTo(old.publicKey().toBase64());
        assertThat(NodePrivateKey.fromBase64(now.privateKey()).publicKey().toBase64())
                .isEqualTo(key);
        assertThat(now.port()).isEqualTo(51234);
        CommandLine cl = NexdCommand.commandLine(new NexdCommand());
        assertThat(cl.getUsageMessage()).contains("--rejoin");
    }

    @Test
    void exitNodeClientWithOrWithoutADevice() {
        assertThat(config("--reg-key", "https://h#RK:x").exitNodeClient()).isEmpty();
        assertThat(config("--reg-key", "https://h#RK:x", "--exit-node-client").exitNodeClient())
                .contains("");
        assertThat(config("--reg-key", "https://h#RK:x", "--exit-node-client", "lan-a")
                        .exitNodeClient())
                .contains("lan-a");
        assertThat(config("--reg-key", "https://h#RK:x", "--exit-node-client=lan-a")
                        .exitNodeClient())
                .contains("lan-a");
        // upstream's environment variable is a boolean
        assertThat(NexdOptions.exitNodeClient("true")).contains("");
        assertThat(NexdOptions.exitNodeClient("false")).isEmpty();
        assertThat(NexdOptions.exitNodeClient("")).isEmpty();
        assertThat(NexdOptions.exitNodeClient(null)).isEmpty();
    }
}
