package io.nexodus.nexd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.nexd.agent.AgentConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code nexd proxy}: upstream's flags, repeatable, validated together; the help says what the mode does not do. */
class ProxyOptionsTest {
    private static final String RK = "https://nexodus.example.com#RK:abc";

    private static AgentConfig proxy(String... args) {
        return NexdCommand.parseProxy(Map.of(), args);
    }

    @Test
    void ingressAndEgressRulesRepeatAndTheAgentsFlagsStillApply() {
        AgentConfig c = proxy(
                "--reg-key",
                RK,
                "proxy",
                "--ingress",
                "tcp:80:127.0.0.1:8080",
                "--ingress",
                "udp:53:127.0.0.1:5353",
                "--egress",
                "tcp:5432:100.64.0.7:5432",
                "--state-dir",
                "/tmp/nexd-proxy-state");
        assertThat(c.isProxy()).isTrue();
        assertThat(c.proxy().rules().stream().map(r -> r.flagForm()))
                .containsExactly(
                        "--ingress tcp:80:127.0.0.1:8080",
                        "--ingress udp:53:127.0.0.1:5353",
                        "--egress tcp:5432:100.64.0.7:5432");
        assertThat(c.regKey()).contains("RK:abc");
        assertThat(c.stateDir()).hasToString("/tmp/nexd-proxy-state");
        assertThat(c.router().isRouter()).isFalse();
        // no rules is fine: they can be added at run time
        assertThat(proxy("--reg-key", RK, "proxy").proxy().rules()).isEmpty();
    }

    @Test
    void badRulesAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> proxy("--reg-key", RK, "proxy", "--ingress", "tcp:80:localhost:8080"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--ingress tcp:80:localhost:8080: destination 'localhost' is not an IP address");
        assertThatThrownBy(() -> proxy("--reg-key", RK, "proxy", "--egress", "icmp:1:100.64.0.7:1"))
                .hasMessage("--egress icmp:1:100.64.0.7:1: protocol must be tcp or udp, not 'icmp'");
        assertThatThrownBy(() -> proxy(
                        "--reg-key",
                        RK,
                        "proxy",
                        "--ingress",
                        "tcp:80:127.0.0.1:8080",
                        "--ingress",
                        "tcp:80:127.0.0.1:9090"))
                .hasMessageContaining("listen on the same port");
    }

    @Test
    void wireguardGoAndSmallMtusDoNotGoWithProxyMode() {
        assertThatThrownBy(() -> NexdCommand.parseProxy(Map.of("NEXD_USE_WIREGUARD_GO", "1"), "--reg-key", RK, "proxy"))
                .hasMessageContaining("unset NEXD_USE_WIREGUARD_GO");
        assertThatThrownBy(() -> proxy("--reg-key", RK, "--mtu", "1200", "proxy"))
                .hasMessageContaining("--mtu 1280 or more");
    }

    @Test
    void helpSaysNoRootAndNamesTheLimits() {
        StringWriter out = new StringWriter();
        CommandLine cl = NexdCommand.commandLine(new NexdCommand());
        cl.setOut(new PrintWriter(out));
        cl.execute("proxy", "--help");
        assertThat(out.toString())
                .contains("without root")
                .contains("--ingress=RULE")
                .contains("--egress=RULE")
                .contains("Not available in this mode");
        StringWriter top = new StringWriter();
        cl.setOut(new PrintWriter(top));
        cl.execute("--help");
        assertThat(top.toString()).contains("proxy").doesNotContain("userspace proxy mode (`nexd proxy`)");
    }
}
