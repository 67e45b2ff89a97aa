package io.nexodus.nexd.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetConfigTest {
    @TempDir
    Path tmp;

    private final List<String> ran = new ArrayList<>();
    private final CommandRunner recorder = (argv, stdin) -> {
        ran.add(String.join(" ", argv)
                + (stdin == null ? "" : " <<" + stdin.lines().count() + " lines"));
        return "";
    };

    @Test
    void tunnelAddressesAndRoutesAsUpstreamLaysThemOut() throws Exception {
        List<String> stdin = new ArrayList<>();
        TunnelInterface t0 = new TunnelInterface(
                (argv, in) -> {
                    stdin.add(String.join(" ", argv) + "\n" + in);
                    return "";
                },
                "wg0");
        t0.configure("100.64.0.5", "200::5", List.of("100.64.0.0/10", "200::/64"));
        assertThat(stdin).containsExactly("""
                        ip -batch -
                        address replace 100.64.0.5/32 dev wg0
                        address replace 200::5/64 dev wg0
                        link set dev wg0 up
                        route replace 100.64.0.0/10 dev wg0
                        route replace 200::/64 dev wg0
                        """);
        assertThat(t0.routes()).containsExactlyInAnyOrder("100.64.0.0/10", "200::/64");
        TunnelInterface t = new TunnelInterface(recorder, "wg0");
        t.syncRoutes(new LinkedHashSet<>(List.of("100.64.0.0/10", "200::/64", "0.0.0.0/0", "10.9.0.0/24")));
        assertThat(ran)
                .containsExactly(
                        "ip -4 route replace 100.64.0.0/10 dev wg0",
                        "ip -6 route replace 200::/64 dev wg0",
                        "ip -4 route replace 10.9.0.0/24 dev wg0");
        ran.clear();
        t.syncRoutes(Set.of("100.64.0.0/10", "200::/64"));
        assertThat(ran).containsExactly("ip -4 route del 10.9.0.0/24 dev wg0");
        assertThat(t.routes()).containsExactlyInAnyOrder("100.64.0.0/10", "200::/64");
    }

    @Test
    void withoutIpv6TheInterfaceIsConfiguredForIpv4Only() throws Exception {
        List<String> stdin = new ArrayList<>();
        TunnelInterface t = new TunnelInterface(
                (argv, in) -> {
                    stdin.add(in);
                    if (in.contains("200::5")) {
                        throw new NetConfigException(
                                "ip -batch - failed (exit 1): RTNETLINK answers: Permission denied", null);
                    }
                    return "";
                },
                "wg0");
        t.configure("100.64.0.5", "200::5", List.of("100.64.0.0/10", "200::/64"));
        assertThat(stdin.getLast()).doesNotContain("200::").contains("100.64.0.5/32", "100.64.0.0/10");
        assertThat(t.routes()).containsExactly("100.64.0.0/10");
    }

    @Test
    void aFailedRouteIsReportedAndRetriedNextTime() {
        CommandRunner failing = (argv, stdin) -> {
            throw new NetConfigException(
                    String.join(" ", argv) + " failed (exit 2): RTNETLINK answers: File exists", null);
        };
        TunnelInterface t = new TunnelInterface(failing, "wg0");
        assertThatThrownBy(() -> t.syncRoutes(Set.of("10.0.0.0/8"))).hasMessageContaining("RTNETLINK");
        assertThat(t.routes()).isEmpty();
    }

    @Test
    void relayForwardingSetsSysctlsAndItsOwnNftTable() throws Exception {
        Path sys = tmp.resolve("sys");
        for (String k :
                List.of("net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding", "net/ipv4/conf/all/send_redirects")) {
            Files.createDirectories(sys.resolve(k).getParent());
            Files.writeString(sys.resolve(k), "0");
        }
        RelayForwarding f = new RelayForwarding(recorder, "wg-r", sys);
        f.enable();
        assertThat(Files.readString(sys.resolve("net/ipv4/ip_forward"))).isEqualTo("1");
        assertThat(Files.readString(sys.resolve("net/ipv6/conf/all/forwarding")))
                .isEqualTo("1");
        assertThat(Files.readString(sys.resolve("net/ipv4/conf/all/send_redirects")))
                .isEqualTo("0");
        assertThat(ran).containsExactly("nft -f - <<8 lines");
        assertThat(RelayForwarding.nftRules("wg-r"))
                .contains("table inet nexodus-relay", "hook forward", "iifname \"wg-r\" counter accept");
        f.close();
        assertThat(ran).last().isEqualTo("nft delete table inet nexodus-relay");
    }

    @Test
    void relayForwardingFailsClearlyWithoutIpForward() {
        RelayForwarding f = new RelayForwarding(recorder, "wg-r", tmp.resolve("nonexistent"));
        assertThatThrownBy(f::enable)
                .hasMessageContaining("net.ipv4.ip_forward=1")
                .hasMessageContaining("forward");
    }
}
