package io.nexodus.packetfilter.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.packetfilter.InvalidRuleException;
import io.nexodus.packetfilter.RuleSet;
import io.nexodus.packetfilter.RuleSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NftablesScriptTest {

    static RuleSpec rule(String protocol, int from, int to, String... ranges) {
        return new RuleSpec(protocol, from, to, Arrays.asList(ranges));
    }

    /** Every protocol, port form and range form of the API, in both directions. */
    static RuleSet everything() throws InvalidRuleException {
        return RuleSet.parse(
                "everything",
                List.of(
                        rule("tcp", 22, 22, "100.64.0.0/10", "fd00::/8"),
                        rule("udp", 1000, 2000),
                        rule("", 0, 0, "192.0.2.1-192.0.2.9"),
                        rule("", 8000, 8080, "fd00::1"),
                        rule("icmp", 0, 0),
                        rule("icmp", 0, 0, "fd00::5-fd00::9"),
                        rule("icmpv4", 0, 0),
                        rule("icmpv6", 0, 0, "fd00::/64"),
                        rule("ipv4", 0, 0, "10.0.0.0/8", "10.1.0.0/16", "192.168.1.1"),
                        rule("ipv6", 0, 0),
                        rule("tcp", 0, 0),
                        rule("udp", 53, 53, "")),
                List.of(rule("tcp", 443, 443, "100.64.0.2")));
    }

    @Test
    void rendersEveryRuleFormAsOneTransaction() throws Exception {
        assertThat(NftablesScript.render(everything(), "wg0")).isEqualTo("""
                table inet nexodus-sg {}
                delete table inet nexodus-sg
                table inet nexodus-sg {
                  chain inbound {
                    type filter hook input priority filter; policy accept;
                    iifname "wg0" ct state established,related counter accept comment "inbound_rules: established,related"
                    iifname "wg0" ip saddr 100.64.0.0/10 tcp dport 22 counter accept comment "inbound_rules[0]"
                    iifname "wg0" ip6 saddr fd00::/8 tcp dport 22 counter accept comment "inbound_rules[0]"
                    iifname "wg0" udp dport 1000-2000 counter accept comment "inbound_rules[1]"
                    iifname "wg0" ip saddr 192.0.2.1-192.0.2.9 counter accept comment "inbound_rules[2]"
                    iifname "wg0" ip6 saddr fd00::1 meta l4proto { tcp, udp } th dport 8000-8080 counter accept comment "inbound_rules[3]"
                    iifname "wg0" meta nfproto ipv4 meta l4proto icmp counter accept comment "inbound_rules[4]"
                    iifname "wg0" meta nfproto ipv6 meta l4proto ipv6-icmp counter accept comment "inbound_rules[4]"
                    iifname "wg0" ip6 saddr fd00::5-fd00::9 meta nfproto ipv6 meta l4proto ipv6-icmp counter accept comment "inbound_rules[5]"
                    iifname "wg0" meta nfproto ipv4 meta l4proto icmp counter accept comment "inbound_rules[6]"
                    iifname "wg0" ip6 saddr fd00::/64 meta nfproto ipv6 meta l4proto ipv6-icmp counter accept comment "inbound_rules[7]"
                    iifname "wg0" ip saddr { 10.0.0.0/8, 192.168.1.1 } meta nfproto ipv4 counter accept comment "inbound_rules[8]"
                    iifname "wg0" meta nfproto ipv6 counter accept comment "inbound_rules[9]"
                    iifname "wg0" meta l4proto tcp counter accept comment "inbound_rules[10]"
                    iifname "wg0" udp dport 53 counter accept comment "inbound_rules[11]"
                    iifname "wg0" counter drop comment "inbound_rules: no rule matched"
                  }
                  chain outbound {
                    type filter hook output priority filter; policy accept;
                    oifname "wg0" ct state established,related counter accept comment "outbound_rules: established,related"
                    oifname "wg0" ip daddr 100.64.0.2 tcp dport 443 counter accept comment "outbound_rules[0]"
                    oifname "wg0" counter drop comment "outbound_rules: no rule matched"
                  }
                }
                """);
    }

    @Test
    void aDirectionWithoutRulesHasNoChainAndAnEmptyGroupRemovesTheTable() throws Exception {
        String inboundOnly = NftablesScript.render(RuleSet.parse(List.of(rule("", 0, 0)), List.of()), "nexodus0");
        assertThat(inboundOnly)
                .contains("chain inbound")
                .doesNotContain("chain outbound")
                .contains("    iifname \"nexodus0\" counter accept comment \"inbound_rules[0]\"\n");
        assertThat(NftablesScript.render(RuleSet.ALLOW_ALL, "wg0"))
                .isEqualTo(NftablesScript.remove())
                .isEqualTo("table inet nexodus-sg {}\ndelete table inet nexodus-sg\n");
    }

    @Test
    void refusesInterfaceNamesThatCouldEscapeTheQuotes() {
        for (String bad : List.of("", "wg0\" accept", "a b", "0123456789abcdef", "wg0;")) {
            assertThatThrownBy(() -> NftablesScript.render(RuleSet.ALLOW_ALL, bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> NftablesScript.render(RuleSet.ALLOW_ALL, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countersAreReadPerRuleFromTheListing() {
        String listing = """
                table inet nexodus-sg {
                	chain inbound {
                		type filter hook input priority filter; policy accept;
                		iifname "wg0" ct state established,related counter packets 40 bytes 3000 accept comment "inbound_rules: established,related"
                		iifname "wg0" ip saddr 100.64.0.0/10 tcp dport 22 counter packets 2 bytes 120 accept comment "inbound_rules[0]"
                		iifname "wg0" ip6 saddr fd00::/8 tcp dport 22 counter packets 1 bytes 80 accept comment "inbound_rules[0]"
                		iifname "wg0" counter packets 7 bytes 588 drop comment "inbound_rules: no rule matched"
                	}
                }
                """;
        assertThat(NftCounters.parse(listing))
                .containsExactly(
                        Map.entry("inbound_rules: established,related", 40L),
                        Map.entry("inbound_rules[0]", 3L),
                        Map.entry("inbound_rules: no rule matched", 7L));
        assertThat(NftCounters.parse("garbage\ncounter packets 99999999999999999999999 bytes 1 x comment \"y\""))
                .isEmpty();
    }
}
