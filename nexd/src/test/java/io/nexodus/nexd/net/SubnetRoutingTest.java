package io.nexodus.nexd.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The subnet router's nftables table and forwarding sysctls, against a recorded {@code nft} and a fake /proc/sys. */
class SubnetRoutingTest {
    @TempDir
    Path procSys;

    private final List<String> commands = new ArrayList<>();
    private final List<String> stdins = new ArrayList<>();

    private CommandRunner recorder() {
        return (argv, stdin) -> {
            commands.add(String.join(" ", argv));
            stdins.add(stdin);
            return "";
        };
    }

    private void sysctl(String key, String value) throws Exception {
        Path p = procSys.resolve(key);
        Files.createDirectories(p.getParent());
        Files.writeString(p, value + "\n");
    }

    private String read(String key) throws Exception {
        return Files.readString(procSys.resolve(key)).strip();
    }

    @Test
    void masqueradesOnlyTunnelTrafficToTheAdvertisedNetworks() {
        String rules = SubnetRouting.nftRules("wg0", List.of("192.168.31.0/24", "10.9.0.0/16"), true);
        assertThat(rules).isEqualTo("""
                        table inet nexodus-router {}
                        delete table inet nexodus-router
                        table inet nexodus-router {
                          chain forward {
                            type filter hook forward priority 0; policy accept;
                            iifname "wg0" ip daddr { 192.168.31.0/24, 10.9.0.0/16 } counter accept
                            oifname "wg0" ip saddr { 192.168.31.0/24, 10.9.0.0/16 } counter accept
                          }
                          chain postrouting {
                            type nat hook postrouting priority 100; policy accept;
                            iifname "wg0" oifname != "wg0" ip daddr { 192.168.31.0/24, 10.9.0.0/16 } counter masquerade
                          }
                        }
                        """);
    }

    @Test
    void withoutNatThereIsNoNatChainAndIpv6HasItsOwnRules() {
        String rules = SubnetRouting.nftRules("wg-x", List.of("192.168.31.0/24", "fd00:31::/64"), false);
        assertThat(rules).doesNotContain("masquerade").doesNotContain("postrouting");
        assertThat(rules)
                .contains("iifname \"wg-x\" ip daddr { 192.168.31.0/24 } counter accept")
                .contains("iifname \"wg-x\" ip6 daddr { fd00:31::/64 } counter accept")
                .contains("oifname \"wg-x\" ip6 saddr { fd00:31::/64 } counter accept");
        assertThat(SubnetRouting.nftRules("wg0", List.of("fd00:31::/64"), true))
                .contains("iifname \"wg0\" oifname != \"wg0\" ip6 daddr { fd00:31::/64 } counter masquerade")
                .doesNotContain(" ip daddr");
    }

    @Test
    void turnsOnForwardingForTheFamiliesItRoutesAndPutsItBackOnClose() throws Exception {
        sysctl(SubnetRouting.IPV4_FORWARD, "0");
        sysctl(SubnetRouting.IPV6_FORWARD, "0");
        SubnetRouting r = new SubnetRouting(recorder(), "wg0", List.of("192.168.31.0/24"), true, procSys);
        r.enable();
        assertThat(read(SubnetRouting.IPV4_FORWARD)).isEqualTo("1");
        assertThat(read(SubnetRouting.IPV6_FORWARD)).isEqualTo("0"); // no IPv6 network: left alone
        assertThat(r.sysctlsChanged()).containsExactly("net.ipv4.ip_forward");
        assertThat(commands).containsExactly("nft -f -");
        assertThat(stdins.getFirst()).contains("masquerade");

        r.close();
        assertThat(commands).containsExactly("nft -f -", "nft delete table inet nexodus-router");
        assertThat(read(SubnetRouting.IPV4_FORWARD)).isEqualTo("0");
        r.close(); // once only
        assertThat(commands).hasSize(2);
    }

    @Test
    void anExitNodeForwardsAndMasqueradesEverythingFromTheTunnelButKeepsDisableNatForItsLan() throws Exception {
        String exitOnly = SubnetRouting.nftRules("wg0", List.of(), true, true);
        assertThat(exitOnly)
                .contains(
                        "iifname \"wg0\" oifname != \"wg0\" meta nfproto ipv4 counter accept comment \"exit node: out\"")
                .contains("oifname \"wg0\" iifname != \"wg0\" meta nfproto ipv4 ct state established,related counter"
                        + " accept")
                .contains("iifname \"wg0\" oifname != \"wg0\" meta nfproto ipv4 counter masquerade comment \"exit"
                        + " node\"")
                .doesNotContain("daddr");
        String withLan = SubnetRouting.nftRules("wg0", List.of("192.168.31.0/24"), false, true);
        assertThat(withLan)
                .contains("meta nfproto ipv4 ip daddr != { 192.168.31.0/24 } counter masquerade comment \"exit node\"")
                .contains("iifname \"wg0\" ip daddr { 192.168.31.0/24 } counter accept");
        assertThat(withLan).containsOnlyOnce("masquerade"); // the LAN itself is not masqueraded

        sysctl(SubnetRouting.IPV4_FORWARD, "0");
        SubnetRouting r = new SubnetRouting(recorder(), "wg0", List.of(), true, true, procSys);
        r.enable();
        assertThat(read(SubnetRouting.IPV4_FORWARD)).isEqualTo("1");
        r.close();
        assertThat(read(SubnetRouting.IPV4_FORWARD)).isEqualTo("0");
    }

    @Test
    void forwardingThatWasOnStaysOn() throws Exception {
        sysctl(SubnetRouting.IPV4_FORWARD, "1");
        sysctl(SubnetRouting.IPV6_FORWARD, "0");
        SubnetRouting r = new SubnetRouting(recorder(), "wg0", List.of("10.0.0.0/8", "fd00::/8"), false, procSys);
        r.enable();
        assertThat(r.sysctlsChanged()).containsExactly("net.ipv6.conf.all.forwarding");
        r.close();
        assertThat(read(SubnetRouting.IPV4_FORWARD)).isEqualTo("1");
        assertThat(read(SubnetRouting.IPV6_FORWARD)).isEqualTo("0");
    }

    @Test
    void aFailingNftStillUndoesTheSysctlAndSaysWhy() throws Exception {
        sysctl(SubnetRouting.IPV4_FORWARD, "0");
        SubnetRouting r = new SubnetRouting(
                (argv, stdin) -> {
                    throw new NetConfigException("nft -f - failed (exit 1): Error: Could not process rule", null);
                },
                "wg0",
                List.of("192.168.31.0/24"),
                true,
                procSys);
        assertThatThrownBy(r::enable).isInstanceOf(NetConfigException.class).hasMessageContaining("nft");
        r.close();
        assertThat(read(SubnetRouting.IPV4_FORWARD)).isEqualTo("0");
    }

    @Test
    void noProcSysIsAClearError() {
        SubnetRouting r =
                new SubnetRouting(recorder(), "wg0", List.of("192.168.31.0/24"), true, procSys.resolve("missing"));
        assertThatThrownBy(r::enable)
                .isInstanceOf(NetConfigException.class)
                .hasMessageContaining("net.ipv4.ip_forward=1")
                .hasMessageContaining("--network-router");
        assertThat(commands).isEmpty();
    }
}
