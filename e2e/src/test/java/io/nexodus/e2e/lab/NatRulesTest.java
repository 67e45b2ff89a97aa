package io.nexodus.e2e.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The nftables text the gateways get, and the values it is made from. */
class NatRulesTest {
    @Test
    void mappingsBecomeMasqueradeStatements() {
        assertThat(NatMapping.easy().nftRules("wan")).isEqualTo("oifname \"wan\" masquerade\n");
        assertThat(NatMapping.symmetric().nftRules("wan")).isEqualTo("oifname \"wan\" masquerade fully-random\n");
        assertThat(NatMapping.easy().withPorts(20000, 20999).nftRules("wan"))
                .isEqualTo(
                        "oifname \"wan\" meta l4proto { tcp, udp } masquerade to :20000-20999\noifname \"wan\" masquerade\n");
        assertThat(NatMapping.symmetric().withPorts(1, 2).withoutPorts()).isEqualTo(NatMapping.symmetric());
        assertThat(NatMapping.easy().withPorts(5, 6)).hasToString("masquerade to :5-6");
    }

    @Test
    void aSequentialNatCountsThroughItsWindowWithAMap() {
        NatMapping seq = NatMapping.sequential().withPorts(30000, 30002);
        assertThat(seq.nftRules("wan"))
                .isEqualTo("oifname \"wan\" meta l4proto { tcp, udp } masquerade to : numgen inc mod 3 map { 0 : 30000,"
                        + " 1 : 30001, 2 : 30002 }\noifname \"wan\" masquerade\n");
        assertThat(seq).hasToString("masquerade sequential 30000-30002");
        assertThat(NatMapping.sequential().sequentialPorts()).isTrue();
        assertThat(NatMapping.sequential().portMax() - NatMapping.sequential().portMin() + 1)
                .isEqualTo(1000);
        assertThat(seq.withoutPorts()).isEqualTo(NatMapping.easy());
        assertThatThrownBy(() -> new NatMapping(true, 1, 2, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NatMapping(false, 0, 0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatMapping.sequential().withPorts(1000, 9000))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void portRangesAreChecked() {
        assertThatThrownBy(() -> NatMapping.easy().withPorts(2000, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatMapping.easy().withPorts(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatMapping.easy().withPorts(10, 70000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void egressRulesComeBeforeTheEstablishedRuleSoTheyCutRunningFlows() {
        String rules = NatGateway.ruleset(NatMapping.easy(), Egress.NO_UDP);
        assertThat(rules.indexOf("meta l4proto udp drop"))
                .isLessThan(rules.indexOf("ct state established,related accept"));
        assertThat(rules)
                .startsWith("table ip natlab\ndelete table ip natlab\n")
                .contains("policy drop;");
        assertThat(Egress.OPEN.nftRules("lan", "wan")).isEmpty();
        assertThat(Egress.TCP_443_ONLY.nftRules("lan", "wan"))
                .contains(
                        "iifname \"lan\" oifname \"wan\" tcp dport != 443 drop",
                        "iifname \"wan\" oifname \"lan\" tcp sport != 443 drop",
                        "iifname \"lan\" oifname \"wan\" meta l4proto != tcp drop");
    }

    @Test
    void conntrackLinesParseIntoNatEntries() {
        String out = """
                udp      17 29 src=192.168.1.10 dst=203.0.113.40 sport=40010 dport=3478 src=203.0.113.40 dst=198.51.100.11 sport=3478 dport=40010 mark=0 use=1
                udp      17 27 src=192.168.31.11 dst=203.0.113.40 sport=3478 dport=40400 [UNREPLIED] src=203.0.113.40 dst=198.51.100.31 sport=40400 dport=61234 mark=0 use=1
                tcp      6 431999 ESTABLISHED src=198.51.100.11 dst=198.51.100.11 sport=22 dport=5000 src=198.51.100.11 dst=198.51.100.11 sport=5000 dport=22 [ASSURED] mark=0 use=1
                icmp     1 29 src=192.168.1.10 dst=203.0.113.10 type=8 code=0 id=7 src=203.0.113.10 dst=198.51.100.11 type=0 code=0 id=7 mark=0 use=1
                garbage sport=x
                """;
        assertThat(NatEntry.parse(out))
                .containsExactly(
                        new NatEntry("udp", "192.168.1.10", 40010, "203.0.113.40", 3478, "198.51.100.11", 40010, true),
                        new NatEntry(
                                "udp", "192.168.31.11", 3478, "203.0.113.40", 40400, "198.51.100.31", 61234, false));
        assertThat(NatEntry.parseLine("udp 17 29 src=1.2.3.4 sport=notanumber")).isEmpty();
    }

    @Test
    void ipv4Arithmetic() {
        Ipv4.Subnet s = Ipv4.Subnet.parse("192.168.1.77/24");
        assertThat(s).hasToString("192.168.1.0/24");
        assertThat(Ipv4.format(s.host(1))).isEqualTo("192.168.1.1");
        assertThat(Ipv4.format(s.broadcast())).isEqualTo("192.168.1.255");
        assertThatThrownBy(() -> s.host(255)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4.parse("10.0.0.256")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4.parse("10.0.0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4.Subnet.parse("10.0.0.0/31")).isInstanceOf(IllegalArgumentException.class);
        Segment seg = new Segment("lan", s);
        assertThat(Ipv4.format(seg.allocate())).isEqualTo("192.168.1.10");
        seg.reserve("192.168.1.11");
        assertThat(Ipv4.format(seg.allocate())).isEqualTo("192.168.1.12");
        assertThatThrownBy(() -> seg.reserve("192.168.1.1")).hasMessageContaining("already used");
        assertThatThrownBy(() -> seg.reserve("192.168.2.1")).hasMessageContaining("not a host address");
        assertThat(seg.nextPortName()).isEqualTo("lan-p0");
    }

    @Test
    void transferOutputParses() {
        TransferResult ok = TransferResult.parse(
                0, "transfer ok bytes=1048576 sha256=" + "ab".repeat(32) + " attempts=3 millis=42\n");
        assertThat(ok.ok()).isTrue();
        assertThat(ok.attempts()).isEqualTo(3);
        assertThat(ok.elapsed().toMillis()).isEqualTo(42);
        assertThat(TransferResult.parse(2, "transfer checksum mismatch").ok()).isFalse();
        assertThat(TransferResult.parse(1, "transfer failed after 9 attempts").output())
                .startsWith("exit 1: ");
    }
}
