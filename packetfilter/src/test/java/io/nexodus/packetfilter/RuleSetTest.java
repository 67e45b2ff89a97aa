package io.nexodus.packetfilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RuleSetTest {

    static RuleSpec rule(String protocol, int from, int to, String... ranges) {
        return new RuleSpec(protocol, from, to, Arrays.asList(ranges));
    }

    static Rule compile(RuleSpec spec) throws InvalidRuleException {
        return RuleSet.parse(List.of(spec), List.of()).rules(Direction.INBOUND).getFirst();
    }

    static InvalidRuleException refused(RuleSpec spec) {
        try {
            RuleSet.parse(List.of(), List.of(spec, spec));
        } catch (InvalidRuleException e) {
            return e;
        }
        throw new AssertionError("accepted " + spec);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''      | ANY",
                "ipv4    | IPV4",
                "ipv6    | IPV6",
                "icmp    | ICMP",
                "icmpv4  | ICMPV4",
                "icmpv6  | ICMPV6",
                "tcp     | TCP",
                "udp     | UDP",
                "TCP     | TCP",
                "' udp ' | UDP",
                "IcmpV6  | ICMPV6"
            })
    void everyUpstreamProtocolIsAccepted(String wire, Protocol expected) throws Exception {
        assertThat(compile(rule(wire, 0, 0)).protocol()).isEqualTo(expected);
    }

    @Test
    void aNullProtocolMeansAny() throws Exception {
        assertThat(compile(rule(null, 0, 0)).protocol()).isEqualTo(Protocol.ANY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ip", "all", "any", "-1", "6", "17", "sctp", "icmp6", "tcp/udp"})
    void protocolsUpstreamRefusesAreRefusedWithTheField(String wire) {
        InvalidRuleException e = refused(rule(wire, 0, 0));
        assertThat(e.field()).isEqualTo("outbound_rules[0].ip_protocol");
        assertThat(e.reason()).contains("unsupported protocol '" + wire + "'");
    }

    @ParameterizedTest
    @CsvSource({"tcp,0,0,0,0", "tcp,22,22,22,22", "udp,1000,2000,1000,2000", "'',1,65535,1,65535", "udp,53,53,53,53"})
    void portForms(String protocol, int from, int to, int wantFrom, int wantTo) throws Exception {
        Rule r = compile(rule(protocol, from, to));
        assertThat(r.fromPort()).isEqualTo(wantFrom);
        assertThat(r.toPort()).isEqualTo(wantTo);
        assertThat(r.hasPorts()).isEqualTo(from != 0);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "tcp    | 0     | 80    | outbound_rules[0].from_port | must be 1-65535 when to_port is set",
                "tcp    | 80    | 0     | outbound_rules[0].to_port   | must be 1-65535 when from_port is set",
                "tcp    | -1    | 80    | outbound_rules[0].from_port | port -1 is outside 1-65535",
                "tcp    | 80    | 65536 | outbound_rules[0].to_port   | port 65536 is outside 1-65535",
                "udp    | 90    | 80    | outbound_rules[0].from_port | from_port 90 is greater than to_port 80",
                "icmp   | 8     | 8     | outbound_rules[0].from_port | not to icmp",
                "icmpv6 | 1     | 2     | outbound_rules[0].from_port | not to icmpv6",
                "ipv4   | 22    | 22    | outbound_rules[0].from_port | not to ipv4",
                "ipv6   | 22    | 22    | outbound_rules[0].from_port | not to ipv6"
            })
    void invalidPortsAreRefusedWithTheField(String protocol, int from, int to, String field, String reason) {
        InvalidRuleException e = refused(rule(protocol, from, to));
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.reason()).contains(reason);
        assertThat(e.getMessage()).startsWith(field + ": ");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.5                  | 10.0.0.5",
                "' 10.0.0.5 '              | 10.0.0.5",
                "10.0.0.0/8                | 10.0.0.0/8",
                "10.1.2.3/8                | 10.0.0.0/8",
                "0.0.0.0/0                 | 0.0.0.0/0",
                "10.0.0.1-10.0.0.9         | 10.0.0.1-10.0.0.9",
                "10.0.0.0 - 10.0.0.255     | 10.0.0.0/24",
                "10.0.0.7-10.0.0.7         | 10.0.0.7",
                "fd00::5                   | fd00::5",
                "FD00:0:0:0:0:0:0:5        | fd00::5",
                "fd00::/8                  | fd00::/8",
                "fd00:1:2:3:4:5:6:7/64     | fd00:1:2:3::/64",
                "::/0                      | ::/0",
                "fd00::1-fd00::ff          | fd00::1-fd00::ff",
                "200::1-200::8             | 200::1-200::8",
                "::ffff:192.0.2.1          | 192.0.2.1",
                "64:ff9b::192.0.2.1        | 64:ff9b::c000:201",
                "1:2:3:4:5:6:7:8           | 1:2:3:4:5:6:7:8",
                "1::                       | 1::",
                "::1                       | ::1",
                "1:0:0:2:0:0:0:3           | 1:0:0:2::3",
                "2001:db8::/128            | 2001:db8::"
            })
    void rangeForms(String text, String canonical) throws Exception {
        Rule r = compile(rule("", 0, 0, text));
        assertThat(r.ranges()).hasSize(1);
        assertThat(r.ranges().getFirst().toString()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.256           | is not an IP address",
                "10.0.0               | is not an IP address",
                "10.0.0.1.2           | is not an IP address",
                "1234.0.0.1           | is not an IP address",
                "host.example         | is not an IP address",
                "10.0.0.1/33          | prefix length 33 is longer than 32",
                "fd00::/129           | prefix length 129 is longer than 128",
                "10.0.0.0/x           | invalid prefix length",
                "10.0.0.0/8/9         | invalid prefix length",
                "10.0.0.0/            | invalid prefix length",
                "10.0.0.1-fd00::1     | range mixes IPv4 and IPv6",
                "10.0.0.9-10.0.0.1    | range start is after its end",
                "10.0.0.1-            | is not an IP address",
                "-10.0.0.1            | is not an IP address",
                "1.1.1.1-2.2.2.2-3.3.3.3 | exactly one '-'",
                "::1::2               | more than one '::'",
                "1:2:3:4:5:6:7        | does not have 8 groups",
                "1:2:3:4:5:6:7:8:9    | is not an IPv6 address",
                "1:2:3:4::5:6:7:8     | too many groups",
                "12345::              | is not an IPv6 address",
                "fe80::1%eth0         | is not an IP address",
                "[::1]                | is not an IP address",
                "::1.2.3.4:5          | misplaced IPv4 part",
                "gggg::               | is not an IP address"
            })
    void invalidRangesAreRefusedWithTheField(String text, String reason) {
        InvalidRuleException e = refused(rule("tcp", 0, 0, "10.0.0.1", text));
        assertThat(e.field()).isEqualTo("outbound_rules[0].ip_ranges[1]");
        assertThat(e.reason()).startsWith("invalid ip range '" + text + "'").contains(reason);
    }

    @ParameterizedTest
    @CsvSource({"ipv4,fd00::1", "icmpv4,fd00::/8", "ipv6,10.0.0.1", "icmpv6,10.0.0.0/8"})
    void aRangeOfTheOtherFamilyThanTheProtocolIsRefused(String protocol, String range) {
        InvalidRuleException e = refused(rule(protocol, 0, 0, range));
        assertThat(e.field()).isEqualTo("outbound_rules[0].ip_ranges[0]");
        assertThat(e.reason()).contains("cannot match protocol " + protocol);
    }

    @Test
    void aNullRuleNamesItsIndex() {
        InvalidRuleException e = assertThrows(() -> RuleSet.parse(Arrays.asList(rule("tcp", 0, 0), null), null));
        assertThat(e.field()).isEqualTo("inbound_rules[1]");
    }

    @Test
    void theFieldPathCountsRulesPerDirection() {
        InvalidRuleException e = assertThrows(() -> RuleSet.parse(
                List.of(rule("tcp", 22, 22)), List.of(rule("udp", 53, 53), rule("tcp", 1, 2, "10.0.0.0/8", "bad"))));
        assertThat(e.field()).isEqualTo("outbound_rules[1].ip_ranges[1]");
    }

    @Test
    void blankRangesMeanAnyAddressAsUpstreamsWildcard() throws Exception {
        assertThat(compile(rule("tcp", 0, 0)).anyAddress()).isTrue();
        assertThat(compile(rule("tcp", 0, 0, "")).anyAddress()).isTrue();
        assertThat(compile(rule("tcp", 0, 0, "10.0.0.0/8", " ")).anyAddress()).isTrue();
        assertThat(compile(new RuleSpec("tcp", 0, 0, Arrays.asList("10.0.0.0/8", null)))
                        .anyAddress())
                .isTrue();
        assertThat(compile(new RuleSpec("tcp", 0, 0, null)).anyAddress()).isTrue();
        assertThat(compile(rule("tcp", 0, 0, "10.0.0.0/8")).anyAddress()).isFalse();
    }

    @Test
    void overlappingAndAdjacentRangesAreMerged() throws Exception {
        Rule r = compile(rule(
                "",
                0,
                0,
                "10.0.0.128/25",
                "10.0.0.0/25",
                "10.0.1.5-10.0.1.9",
                "10.0.1.7",
                "fd00::/64",
                "fd00:0:0:1::/64",
                "192.168.0.1"));
        assertThat(r.ranges().stream().map(AddressRange::toString))
                .containsExactly("10.0.0.0/24", "10.0.1.5-10.0.1.9", "192.168.0.1", "fd00::/63");
        assertThat(r.toString()).isEqualTo("any 10.0.0.0/24,10.0.1.5-10.0.1.9,192.168.0.1,fd00::/63");
    }

    @Test
    void nullListsAreEmptyAndEmptyMeansAllowAll() throws Exception {
        RuleSet rs = RuleSet.parse("g", null, null);
        assertThat(rs.allowsAll()).isTrue();
        assertThat(rs.label()).isEqualTo("g");
        assertThat(RuleSet.ALLOW_ALL.allowsAll()).isTrue();
    }

    @Test
    void ruleTextIsShortAndStable() throws Exception {
        assertThat(compile(rule("tcp", 22, 22, "10.0.0.0/8")).toString()).isEqualTo("tcp 22 10.0.0.0/8");
        assertThat(compile(rule("udp", 1000, 2000)).toString()).isEqualTo("udp 1000-2000 any");
        assertThat(compile(rule("", 0, 0)).toString()).isEqualTo("any any");
        assertThat(compile(rule("icmpv6", 0, 0, "fd00::/8")).field()).isEqualTo("inbound_rules[0]");
    }

    private static InvalidRuleException assertThrows(ThrowingParse parse) {
        try {
            parse.run();
        } catch (InvalidRuleException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    @FunctionalInterface
    private interface ThrowingParse {
        void run() throws InvalidRuleException;
    }

    @Test
    void assertjSeesTheFieldToo() {
        assertThatThrownBy(() -> RuleSet.parse(List.of(rule("gre", 0, 0)), List.of()))
                .isInstanceOf(InvalidRuleException.class)
                .hasMessage("inbound_rules[0].ip_protocol: unsupported protocol 'gre' (one of \"\" for any, ipv4,"
                        + " ipv6, icmp, icmpv4, icmpv6, tcp, udp)");
    }
}
