package io.nexodus.nexd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.nexd.agent.AgentConfig;
import io.nexodus.nexd.agent.RouterConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code nexd router}: upstream's flag names, validation of the networks, and its help. */
class RouterOptionsTest {
    private static final String RK = "https://nexodus.example.com#RK:abc";

    private static RouterConfig router(String... args) {
        return NexdCommand.parseRouter(args).router();
    }

    @Test
    void advertisedNetworksRepeatOrCommaSeparatedIpv4AndIpv6Normalized() {
        AgentConfig c = NexdCommand.parseRouter(
                "--reg-key",
                RK,
                "router",
                "--advertise-cidr",
                "192.168.31.7/24",
                "--advertise-cidr",
                "10.9.0.0/16,FD00:31:0::/64",
                "--network-router");
        assertThat(c.router().advertiseCidrs()).containsExactly("192.168.31.0/24", "10.9.0.0/16", "fd00:31::/64");
        assertThat(c.router().networkRouter()).isTrue();
        assertThat(c.router().nat()).isTrue();
        assertThat(c.router().isRouter()).isTrue();
        assertThat(c.mode()).isEqualTo(AgentConfig.Mode.AGENT);
        assertThat(c.registersAsRelay()).isFalse();
        assertThat(c.regKey()).contains("RK:abc"); // the agent's flags still apply (given before the subcommand)
    }

    @Test
    void agentFlagsAfterTheSubcommandAndUpstreamsOlderNameWork() {
        RouterConfig r = router(
                "router", "--child-prefix", "172.24.0.0/24", "--reg-key", RK, "--network-router", "--disable-nat");
        assertThat(r.advertiseCidrs()).containsExactly("172.24.0.0/24");
        assertThat(r.nat()).isFalse();
        // without --network-router the networks are only advertised
        RouterConfig only = router("router", "--advertise-cidr", "172.24.0.0/24", "--reg-key", RK);
        assertThat(only.networkRouter()).isFalse();
        assertThat(only.describe()).contains("advertised only");
    }

    @Test
    void anExitNodeAdvertisesTheDefaultRouteWithOrWithoutNetworks() {
        RouterConfig exit = router("--reg-key", RK, "router", "--exit-node");
        assertThat(exit.exitNode()).isTrue();
        assertThat(exit.advertiseCidrs()).containsExactly("0.0.0.0/0");
        assertThat(exit.subnets()).isEmpty();
        assertThat(exit.isRouter()).isTrue();
        assertThat(exit.describe()).startsWith("exit node: forwarding the peers' IPv4 internet traffic");
        RouterConfig both = router(
                "--reg-key", RK, "router", "--exit-node", "--advertise-cidr", "192.168.31.0/24", "--network-router");
        assertThat(both.advertiseCidrs()).containsExactly("192.168.31.0/24", "0.0.0.0/0");
        assertThat(both.subnets()).containsExactly("192.168.31.0/24");
        assertThat(both.describe())
                .contains("advertising 192.168.31.0/24 (forwarding")
                .contains("; exit node:");
        assertThat(router("--reg-key", RK, "router", "--advertise-cidr", "10.0.0.0/8")
                        .exitNode())
                .isFalse();
    }

    @Test
    void badNetworksAreRefusedWithTheReason() {
        assertThatThrownBy(() -> router("--reg-key", RK, "router", "--network-router"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one --advertise-cidr");
        assertThatThrownBy(() -> router("--reg-key", RK, "router", "--advertise-cidr", "192.168.1.300/24"))
                .hasMessageContaining("192.168.1.300/24 is not an IPv4 or IPv6 CIDR");
        assertThatThrownBy(() -> router("--reg-key", RK, "router", "--advertise-cidr", "10.0.0.0/33"))
                .hasMessageContaining("not an IPv4 or IPv6 CIDR");
        assertThatThrownBy(() -> router("--reg-key", RK, "router", "--advertise-cidr", "lan.example.com/24"))
                .hasMessageContaining("not an IPv4 or IPv6 CIDR");
        assertThatThrownBy(() -> router("--reg-key", RK, "router", "--advertise-cidr", "192.168.1.0"))
                .hasMessageContaining("no prefix length");
        assertThatThrownBy(() -> router("--reg-key", RK, "router", "--advertise-cidr", "0.0.0.0/0"))
                .hasMessageContaining("exit node");
        assertThatThrownBy(() -> router("--reg-key", RK, "router", "--advertise-cidr", "::/0"))
                .hasMessageContaining("exit node");
        assertThatThrownBy(() -> router(
                        "--reg-key", RK, "router", "--advertise-cidr", "10.0.0.0/8", "--advertise-cidr", "10.1.0.0/16"))
                .hasMessageContaining("10.1.0.0/16 overlaps 10.0.0.0/8");
        assertThatThrownBy(() -> router("--reg-key", RK, "router", "--advertise-cidr", "10.0.0.0/8", "--disable-nat"))
                .hasMessageContaining("--disable-nat goes with --network-router");
    }

    @Test
    void badFlagsExitWithTwoAndSayWhy() {
        StringWriter err = new StringWriter();
        CommandLine cl = NexdCommand.commandLine(new NexdCommand()).setErr(new PrintWriter(err));
        assertThat(cl.execute("--reg-key", RK, "router", "--advertise-cidr", "nonsense/8"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("nonsense/8").contains("nexd router --help");
    }

    @Test
    void helpExplainsTheRouter() {
        StringWriter out = new StringWriter();
        CommandLine cl = NexdCommand.commandLine(new NexdCommand()).setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString()).contains("router", "--advertise-cidr 192.168.1.0/24 --network-router");
        out.getBuffer().setLength(0);
        assertThat(cl.execute("router", "--help")).isZero();
        assertThat(out.toString())
                .contains(
                        "--advertise-cidr",
                        "--network-router",
                        "--disable-nat",
                        "NEXD_REQUESTED_ADVERTISE_CIDR",
                        "nexodus-router",
                        "security group",
                        "--reg-key")
                .doesNotContain("--child-prefix");
    }
}
