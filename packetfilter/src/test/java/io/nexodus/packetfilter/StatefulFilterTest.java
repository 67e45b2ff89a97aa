package io.nexodus.packetfilter;

import static io.nexodus.packetfilter.Decision.ACCEPT_ESTABLISHED;
import static io.nexodus.packetfilter.Decision.ACCEPT_FRAGMENT;
import static io.nexodus.packetfilter.Decision.ACCEPT_NEW;
import static io.nexodus.packetfilter.Decision.ACCEPT_RELATED;
import static io.nexodus.packetfilter.Decision.ACCEPT_REPLY;
import static io.nexodus.packetfilter.Decision.ACCEPT_STATELESS;
import static io.nexodus.packetfilter.Decision.ACCEPT_TRANSIT;
import static io.nexodus.packetfilter.Decision.DROP_INVALID;
import static io.nexodus.packetfilter.Decision.DROP_NO_MATCH;
import static io.nexodus.packetfilter.Decision.DROP_TABLE_FULL;
import static io.nexodus.packetfilter.Direction.INBOUND;
import static io.nexodus.packetfilter.Direction.OUTBOUND;
import static io.nexodus.packetfilter.Packets.ACK;
import static io.nexodus.packetfilter.Packets.FIN;
import static io.nexodus.packetfilter.Packets.PSH;
import static io.nexodus.packetfilter.Packets.RST;
import static io.nexodus.packetfilter.Packets.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** Connection tracking and rule enforcement, on a manual clock. This device is 100.64.0.1 / fd00::1. */
class StatefulFilterTest {
    static final String ME = "100.64.0.1";
    static final String PEER = "100.64.0.2";
    static final String OTHER = "100.64.0.3";
    static final String ME6 = "fd00::1";
    static final String PEER6 = "fd00::2";
    static final long S = 1_000_000_000L;

    final StatefulFilter filter = new StatefulFilter();
    long now = 5_000 * S;

    static RuleSpec rule(String protocol, int from, int to, String... ranges) {
        return new RuleSpec(protocol, from, to, Arrays.asList(ranges));
    }

    static RuleSet rules(List<RuleSpec> inbound, List<RuleSpec> outbound) {
        try {
            return RuleSet.parse("test", inbound, outbound);
        } catch (InvalidRuleException e) {
            throw new AssertionError(e);
        }
    }

    Decision in(byte[] packet) {
        return filter.decide(INBOUND, packet, 0, packet.length, now);
    }

    Decision out(byte[] packet) {
        return filter.decide(OUTBOUND, packet, 0, packet.length, now);
    }

    void advance(Duration d) {
        now += d.toNanos();
    }

    /** Inbound: ssh from 100.64.0.0/24 only. Outbound: https to PEER only. */
    void sshInHttpsOut() {
        filter.setRules(rules(List.of(rule("tcp", 22, 22, "100.64.0.0/24")), List.of(rule("tcp", 443, 443, PEER))));
    }

    @Test
    void allowAllAcceptsEverythingAndStillTracks() {
        assertThat(in(Packets.tcp(PEER, 40000, ME, 23, SYN))).isEqualTo(ACCEPT_NEW);
        assertThat(out(Packets.tcp(ME, 23, PEER, 40000, SYN | ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(out(Packets.udp(ME, 5000, PEER, 53))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.echoRequest(PEER6, ME6, 7))).isEqualTo(ACCEPT_NEW);
        assertThat(filter.status().flows()).isEqualTo(3);
    }

    @Test
    void inboundRuleAdmitsItsPortAndSourceOnly() {
        sshInHttpsOut();
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, SYN))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.tcp(PEER, 40001, ME, 23, SYN))).isEqualTo(DROP_NO_MATCH);
        assertThat(in(Packets.tcp("100.64.1.9", 40002, ME, 22, SYN))).isEqualTo(DROP_NO_MATCH);
        assertThat(in(Packets.udp(PEER, 40003, ME, 22))).isEqualTo(DROP_NO_MATCH);
        assertThat(in(Packets.echoRequest(PEER, ME, 1))).isEqualTo(DROP_NO_MATCH);
    }

    @Test
    void repliesOfAnInboundFlowPassAlthoughOutboundRulesWouldRefuseThem() {
        sshInHttpsOut();
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, SYN))).isEqualTo(ACCEPT_NEW);
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, SYN | ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK))).isEqualTo(ACCEPT_ESTABLISHED);
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, ACK | PSH))).isEqualTo(ACCEPT_REPLY);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK | PSH))).isEqualTo(ACCEPT_ESTABLISHED);
        // the same port pair opened from this side is another flow, and outbound rules refuse it
        assertThat(out(Packets.tcp(ME, 22, OTHER, 40000, SYN))).isEqualTo(DROP_NO_MATCH);
    }

    @Test
    void outboundRuleAdmitsItsDestinationAndRepliesComeBack() {
        sshInHttpsOut();
        assertThat(out(Packets.tcp(ME, 50000, PEER, 443, SYN))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.tcp(PEER, 443, ME, 50000, SYN | ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(out(Packets.tcp(ME, 50000, PEER, 443, ACK))).isEqualTo(ACCEPT_ESTABLISHED);
        assertThat(out(Packets.tcp(ME, 50001, OTHER, 443, SYN))).isEqualTo(DROP_NO_MATCH);
        assertThat(out(Packets.tcp(ME, 50002, PEER, 80, SYN))).isEqualTo(DROP_NO_MATCH);
        assertThat(out(Packets.udp(ME, 50003, PEER, 443))).isEqualTo(DROP_NO_MATCH);
        // an unsolicited packet from the https port is not a reply
        assertThat(in(Packets.tcp(PEER, 443, ME, 50009, SYN | ACK))).isEqualTo(DROP_NO_MATCH);
    }

    @Test
    void aDirectionWithoutRulesAllowsEverythingAsUpstreamDoes() {
        filter.setRules(rules(List.of(rule("tcp", 22, 22)), List.of()));
        assertThat(out(Packets.udp(ME, 1, OTHER, 9999))).isEqualTo(ACCEPT_NEW);
        assertThat(out(Packets.echoRequest(ME6, PEER6, 3))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.echoReply(PEER6, ME6, 3))).isEqualTo(ACCEPT_REPLY);
        assertThat(in(Packets.echoRequest(PEER6, ME6, 3))).isEqualTo(DROP_NO_MATCH);
        FilterStatus st = filter.status();
        assertThat(st.outbound()).singleElement().satisfies(h -> {
            assertThat(h.field()).isEqualTo("outbound_rules");
            assertThat(h.rule()).isEqualTo("no rules: all allowed");
            assertThat(h.flows()).isEqualTo(2);
        });
    }

    @Test
    void udpUnrepliedLives30sAndReplied120s() {
        filter.setRules(rules(List.of(rule("tcp", 22, 22)), List.of(rule("udp", 53, 53))));
        assertThat(out(Packets.udp(ME, 5353, PEER, 53))).isEqualTo(ACCEPT_NEW);
        advance(Duration.ofSeconds(29));
        assertThat(out(Packets.udp(ME, 5353, PEER, 53))).isEqualTo(ACCEPT_ESTABLISHED);
        advance(Duration.ofSeconds(31));
        // 31 s without a packet: the unreplied flow expired, so the "reply" is a new inbound flow
        assertThat(in(Packets.udp(PEER, 53, ME, 5353))).isEqualTo(DROP_NO_MATCH);

        assertThat(out(Packets.udp(ME, 5354, PEER, 53))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.udp(PEER, 53, ME, 5354))).isEqualTo(ACCEPT_REPLY);
        advance(Duration.ofSeconds(119));
        assertThat(in(Packets.udp(PEER, 53, ME, 5354))).isEqualTo(ACCEPT_REPLY);
        advance(Duration.ofSeconds(119));
        assertThat(in(Packets.udp(PEER, 53, ME, 5354))).isEqualTo(ACCEPT_REPLY);
        advance(Duration.ofSeconds(121));
        assertThat(in(Packets.udp(PEER, 53, ME, 5354))).isEqualTo(DROP_NO_MATCH);
    }

    @Test
    void icmpEchoIsMatchedByIdentifierAndLives30s() {
        filter.setRules(rules(List.of(rule("tcp", 22, 22)), List.of(rule("icmp", 0, 0))));
        assertThat(out(Packets.echoRequest(ME, PEER, 77))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.echoReply(PEER, ME, 77))).isEqualTo(ACCEPT_REPLY);
        assertThat(in(Packets.echoReply(PEER, ME, 78))).isEqualTo(DROP_NO_MATCH);
        assertThat(in(Packets.echoReply(OTHER, ME, 77))).isEqualTo(DROP_NO_MATCH);
        // the peer's own echo request with the same identifier is not a reply
        assertThat(in(Packets.echoRequest(PEER, ME, 77))).isEqualTo(DROP_NO_MATCH);
        advance(Duration.ofSeconds(31));
        assertThat(in(Packets.echoReply(PEER, ME, 77))).isEqualTo(DROP_NO_MATCH);
        // IPv6 too: "icmp" is ICMPv6 in IPv6
        assertThat(out(Packets.echoRequest(ME6, PEER6, 5))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.echoReply(PEER6, ME6, 5))).isEqualTo(ACCEPT_REPLY);
    }

    @Test
    void icmpErrorsAboutATrackedFlowAreRelated() {
        filter.setRules(rules(List.of(rule("tcp", 22, 22)), List.of()));
        byte[] query = Packets.udp(ME, 5353, PEER, 53);
        assertThat(out(query)).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.icmpError(PEER, ME, query))).isEqualTo(ACCEPT_RELATED);
        byte[] syn = Packets.tcp(ME, 50000, PEER, 80, SYN);
        assertThat(out(syn)).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.icmpError("100.64.0.254", ME, syn))).isEqualTo(ACCEPT_RELATED);
        byte[] ping = Packets.echoRequest(ME, PEER, 9);
        assertThat(out(ping)).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.icmpError(PEER, ME, ping))).isEqualTo(ACCEPT_RELATED);
        byte[] v6 = Packets.udp(ME6, 1000, PEER6, 2000);
        assertThat(out(v6)).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.icmpError(PEER6, ME6, v6))).isEqualTo(ACCEPT_RELATED);
        // an error about a flow we never had is judged by the rules: no icmp rule, dropped
        assertThat(in(Packets.icmpError(PEER, ME, Packets.udp(ME, 1, PEER, 2)))).isEqualTo(DROP_NO_MATCH);
        // an error quoting a packet of the other direction does not match (it would be the peer's own flow)
        assertThat(in(Packets.icmpError(PEER, ME, Packets.udp(PEER, 53, ME, 5353))))
                .isEqualTo(DROP_NO_MATCH);
    }

    @Test
    void icmpOtherThanEchoAndErrorsIsJudgedStatelessly() {
        filter.setRules(rules(List.of(rule("icmpv6", 0, 0)), List.of()));
        assertThat(in(Packets.icmp(PEER6, ME6, 135, 0))).isEqualTo(ACCEPT_STATELESS); // neighbour solicitation
        assertThat(in(Packets.icmp(PEER, ME, 13, 0))).isEqualTo(DROP_NO_MATCH); // ICMPv4 timestamp
        assertThat(filter.status().flows()).isZero();
    }

    @Test
    void tcpLifecycleFollowsLinuxTimeouts() {
        sshInHttpsOut();
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, SYN))).isEqualTo(ACCEPT_NEW);
        advance(Duration.ofSeconds(119));
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, SYN | ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK))).isEqualTo(ACCEPT_ESTABLISHED);
        advance(Duration.ofHours(30)); // established: 5 days
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, ACK | PSH))).isEqualTo(ACCEPT_REPLY);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, FIN | ACK))).isEqualTo(ACCEPT_ESTABLISHED);
        advance(Duration.ofSeconds(100)); // fin-wait: 120 s
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, FIN | ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK))).isEqualTo(ACCEPT_ESTABLISHED);
        advance(Duration.ofSeconds(121)); // time-wait: 120 s
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, ACK))).isEqualTo(DROP_NO_MATCH);
    }

    @Test
    void aSynThatNobodyAnswersExpiresAfter120s() {
        sshInHttpsOut();
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, SYN))).isEqualTo(ACCEPT_NEW);
        advance(Duration.ofSeconds(121));
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, SYN | ACK))).isEqualTo(DROP_NO_MATCH);
    }

    @Test
    void rstClosesAFlowWithin10s() {
        sshInHttpsOut();
        assertThat(out(Packets.tcp(ME, 50000, PEER, 443, SYN))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.tcp(PEER, 443, ME, 50000, RST | ACK))).isEqualTo(ACCEPT_REPLY);
        advance(Duration.ofSeconds(9));
        assertThat(in(Packets.tcp(PEER, 443, ME, 50000, RST))).isEqualTo(ACCEPT_REPLY);
        advance(Duration.ofSeconds(11));
        assertThat(in(Packets.tcp(PEER, 443, ME, 50000, ACK))).isEqualTo(DROP_NO_MATCH);
    }

    @Test
    void aSynAfterTimeWaitStartsANewFlowJudgedByTheRules() {
        sshInHttpsOut();
        byte[] syn = Packets.tcp(ME, 50000, PEER, 443, SYN);
        assertThat(out(syn)).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.tcp(PEER, 443, ME, 50000, RST | ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(out(syn)).isEqualTo(ACCEPT_NEW);
        assertThat(filter.status().outbound().getFirst().flows()).isEqualTo(2);
    }

    @Test
    void aRunningConnectionIsPickedUpWhenTheRulesAllowItAsLinuxDoesByDefault() {
        sshInHttpsOut();
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK | PSH))).isEqualTo(ACCEPT_NEW);
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(in(Packets.tcp(PEER, 40001, ME, 23, ACK))).isEqualTo(DROP_NO_MATCH);
        // a RST without a flow creates none
        assertThat(in(Packets.tcp(PEER, 40002, ME, 22, RST))).isEqualTo(ACCEPT_STATELESS);
        assertThat(out(Packets.tcp(ME, 22, PEER, 40002, ACK))).isEqualTo(DROP_NO_MATCH);
    }

    @Test
    void aForwardedPacketIsANewFlowInItsSecondDirectionNotAReply() {
        filter.setRules(rules(List.of(), List.of(rule("tcp", 443, 443))));
        byte[] transit = Packets.tcp(PEER, 40000, OTHER, 22, SYN);
        assertThat(in(transit)).isEqualTo(ACCEPT_NEW); // inbound: no rules
        assertThat(out(transit)).isEqualTo(DROP_NO_MATCH); // outbound to port 22: refused
        byte[] allowed = Packets.tcp(PEER, 40001, OTHER, 443, SYN);
        assertThat(in(allowed)).isEqualTo(ACCEPT_NEW);
        assertThat(out(allowed)).isEqualTo(ACCEPT_NEW);
        byte[] reply = Packets.tcp(OTHER, 443, PEER, 40001, SYN | ACK);
        assertThat(in(reply)).isEqualTo(ACCEPT_REPLY);
        assertThat(out(reply)).isEqualTo(ACCEPT_REPLY);
    }

    @Test
    void withLocalAddressesForwardedPacketsAreNotFiltered() {
        filter.setRules(rules(List.of(rule("tcp", 22, 22)), List.of(rule("tcp", 22, 22))));
        filter.setLocalAddresses(List.of(ME, ME6 + "/128"));
        assertThat(in(Packets.tcp(PEER, 40000, OTHER, 80, SYN))).isEqualTo(ACCEPT_TRANSIT);
        assertThat(out(Packets.tcp(PEER, 40000, OTHER, 80, SYN))).isEqualTo(ACCEPT_TRANSIT);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 80, SYN))).isEqualTo(DROP_NO_MATCH);
        assertThat(out(Packets.tcp(ME, 40000, OTHER, 80, SYN))).isEqualTo(DROP_NO_MATCH);
        assertThat(in(Packets.tcp(PEER6, 40000, ME6, 80, SYN))).isEqualTo(DROP_NO_MATCH);
        assertThat(in(Packets.tcp(PEER6, 40000, "fd00::9", 80, SYN))).isEqualTo(ACCEPT_TRANSIT);
        filter.setLocalAddresses(List.of());
        assertThat(in(Packets.tcp(PEER, 40000, OTHER, 80, SYN))).isEqualTo(DROP_NO_MATCH);
    }

    @Test
    void aRuleChangeRechecksRunningFlowsInsteadOfGrandfatheringThem() {
        sshInHttpsOut();
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, SYN))).isEqualTo(ACCEPT_NEW);
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, SYN | ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK))).isEqualTo(ACCEPT_ESTABLISHED);
        assertThat(out(Packets.tcp(ME, 50000, PEER, 443, SYN))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.tcp(PEER, 443, ME, 50000, SYN | ACK))).isEqualTo(ACCEPT_REPLY);

        // ssh is now only allowed from another network; https stays
        filter.setRules(
                rules(List.of(rule("tcp", 22, 22, "10.0.0.0/8")), List.of(rule("tcp", 443, 443, "100.64.0.0/24"))));
        // the reply direction notices first: the flow is gone at once
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, ACK | PSH))).isEqualTo(DROP_NO_MATCH);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK | PSH))).isEqualTo(DROP_NO_MATCH);
        // the https flow is still allowed by the new rules and goes on
        assertThat(in(Packets.tcp(PEER, 443, ME, 50000, ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(out(Packets.tcp(ME, 50000, PEER, 443, ACK))).isEqualTo(ACCEPT_ESTABLISHED);
        FilterStatus st = filter.status();
        assertThat(st.revoked()).isEqualTo(1);
        assertThat(st.generation()).isEqualTo(3);

        // opening ssh again lets a new connection in
        sshInHttpsOut();
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, SYN))).isEqualTo(ACCEPT_NEW);
    }

    @Test
    void aRuleChangeAlsoStopsUdpAndIcmpFlows() {
        filter.setRules(rules(List.of(rule("udp", 0, 0), rule("icmp", 0, 0)), List.of()));
        assertThat(in(Packets.udp(PEER, 1000, ME, 2000))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.echoRequest(PEER, ME, 4))).isEqualTo(ACCEPT_NEW);
        filter.setRules(rules(List.of(rule("tcp", 0, 0)), List.of(rule("tcp", 0, 0))));
        assertThat(out(Packets.udp(ME, 2000, PEER, 1000))).isEqualTo(DROP_NO_MATCH);
        assertThat(out(Packets.echoReply(ME, PEER, 4))).isEqualTo(DROP_NO_MATCH);
        assertThat(in(Packets.echoRequest(PEER, ME, 4))).isEqualTo(DROP_NO_MATCH);
        assertThat(filter.status().revoked()).isEqualTo(2);
    }

    @Test
    void aRevokedFlowIsJudgedAfreshSoAnOpenDirectionCanStartItAgain() {
        filter.setRules(rules(List.of(rule("udp", 0, 0)), List.of()));
        assertThat(in(Packets.udp(PEER, 1000, ME, 2000))).isEqualTo(ACCEPT_NEW);
        filter.setRules(rules(List.of(rule("tcp", 0, 0)), List.of()));
        // outbound has no rules: this device may send to the peer, and the peer's answers are replies
        assertThat(out(Packets.udp(ME, 2000, PEER, 1000))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.udp(PEER, 1000, ME, 2000))).isEqualTo(ACCEPT_REPLY);
        assertThat(filter.status().revoked()).isEqualTo(1);
    }

    @Test
    void withoutTcpPickUpARevokedConnectionCannotComeBackFromTheOtherSide() {
        filter.setPickUpRunningTcp(false);
        filter.setRules(rules(List.of(rule("tcp", 22, 22)), List.of()));
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, SYN))).isEqualTo(ACCEPT_NEW);
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, SYN | ACK))).isEqualTo(ACCEPT_REPLY);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK))).isEqualTo(ACCEPT_ESTABLISHED);

        filter.setRules(rules(List.of(rule("tcp", 2222, 2222)), List.of()));
        // this device's server keeps sending: outbound has no rules, so its segments pass, but they open nothing
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, ACK | PSH))).isEqualTo(ACCEPT_STATELESS);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK))).isEqualTo(DROP_NO_MATCH);
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, ACK | PSH))).isEqualTo(ACCEPT_STATELESS);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK | PSH))).isEqualTo(DROP_NO_MATCH);
        assertThat(filter.status().revoked()).isEqualTo(1);
        // a new connection this device opens is tracked as usual
        assertThat(out(Packets.tcp(ME, 50000, PEER, 443, SYN))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.tcp(PEER, 443, ME, 50000, SYN | ACK))).isEqualTo(ACCEPT_REPLY);
    }

    @Test
    void withTcpPickUpTheOtherSideRestartsARevokedConnection() {
        filter.setRules(rules(List.of(rule("tcp", 22, 22)), List.of()));
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, SYN))).isEqualTo(ACCEPT_NEW);
        filter.setRules(rules(List.of(rule("tcp", 2222, 2222)), List.of()));
        assertThat(out(Packets.tcp(ME, 22, PEER, 40000, ACK | PSH))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.tcp(PEER, 40000, ME, 22, ACK))).isEqualTo(ACCEPT_REPLY);
    }

    @Test
    void aFullTableEvictsTheOldestFlowThatIsNotEstablished() {
        StatefulFilter small = new StatefulFilter(4, Timeouts.LINUX);
        for (int i = 0; i < 4; i++) {
            byte[] p = Packets.udp(ME, 1000 + i, PEER, 53);
            assertThat(small.decide(OUTBOUND, p, 0, p.length, now + i)).isEqualTo(ACCEPT_NEW);
        }
        // flow 1 got a reply, so it is established; flow 0 is the oldest unreplied one
        byte[] reply = Packets.udp(PEER, 53, ME, 1000);
        assertThat(small.decide(INBOUND, reply, 0, reply.length, now + 10)).isEqualTo(ACCEPT_REPLY);
        byte[] fifth = Packets.udp(ME, 2000, PEER, 53);
        assertThat(small.decide(OUTBOUND, fifth, 0, fifth.length, now + 20)).isEqualTo(ACCEPT_NEW);
        FilterStatus st = small.status();
        assertThat(st.evicted()).isEqualTo(1);
        assertThat(st.flows()).isEqualTo(4);
        assertThat(st.capacity()).isEqualTo(4);
        byte[] evictedReply = Packets.udp(PEER, 53, ME, 1001);
        assertThat(small.decide(INBOUND, evictedReply, 0, evictedReply.length, now + 30))
                .isEqualTo(ACCEPT_NEW); // (inbound allows all here; the point: it was no longer a reply)
        byte[] kept = Packets.udp(PEER, 53, ME, 1000);
        assertThat(small.decide(INBOUND, kept, 0, kept.length, now + 40)).isEqualTo(ACCEPT_REPLY);
    }

    @Test
    void aTableFullOfEstablishedFlowsRefusesNewOnesUntilSomeExpire() {
        StatefulFilter small = new StatefulFilter(4, Timeouts.LINUX);
        small.setRules(rules(List.of(), List.of(rule("tcp", 0, 0))));
        for (int i = 0; i < 4; i++) {
            byte[] p = Packets.tcp(ME, 1000 + i, PEER, 22, ACK); // picked up as established
            assertThat(small.decide(OUTBOUND, p, 0, p.length, now)).isEqualTo(ACCEPT_NEW);
        }
        byte[] fifth = Packets.tcp(ME, 2000, PEER, 22, SYN);
        assertThat(small.decide(OUTBOUND, fifth, 0, fifth.length, now)).isEqualTo(DROP_TABLE_FULL);
        assertThat(small.status().decisions()).containsEntry(DROP_TABLE_FULL, 1L);
        long later = now + Duration.ofDays(5).plusSeconds(1).toNanos();
        assertThat(small.decide(OUTBOUND, fifth, 0, fifth.length, later)).isEqualTo(ACCEPT_NEW);
        assertThat(small.status().flows()).isEqualTo(1);
        assertThat(small.status().evicted()).isZero();
    }

    @Test
    void expireSweepsTimedOutFlows() {
        for (int i = 0; i < 100; i++) {
            assertThat(out(Packets.udp(ME, 1000 + i, PEER, 53))).isEqualTo(ACCEPT_NEW);
        }
        assertThat(out(Packets.tcp(ME, 999, PEER, 22, SYN))).isEqualTo(ACCEPT_NEW);
        assertThat(filter.status().flows()).isEqualTo(101);
        assertThat(filter.expire(now + Duration.ofSeconds(31).toNanos())).isEqualTo(100);
        assertThat(filter.status().flows()).isEqualTo(1);
        filter.clearFlows();
        assertThat(filter.status().flows()).isZero();
    }

    @Test
    void manyFlowsComingAndGoingStayFindable() {
        // a model of the table: flows expire 30 s after their last refresh (refreshes happen at most once a second)
        StatefulFilter f = new StatefulFilter(4096, Timeouts.LINUX);
        Random rnd = new Random(42);
        Map<Integer, Long> refreshed = new HashMap<>();
        long t = now;
        for (int round = 0; round < 50_000; round++) {
            t += 10_000_000L; // 10 ms
            int port = 1 + rnd.nextInt(3000);
            byte[] p = Packets.udp(ME, port, PEER, 53);
            Long last = refreshed.get(port);
            boolean live = last != null && t - last <= 30 * S;
            assertThat(f.decide(OUTBOUND, p, 0, p.length, t))
                    .as("round %d port %d", round, port)
                    .isEqualTo(live ? ACCEPT_ESTABLISHED : ACCEPT_NEW);
            if (!live || t - last >= StatefulFilter.TOUCH_INTERVAL_NANOS) {
                refreshed.put(port, t);
            }
            if (round % 5000 == 4999) {
                f.expire(t);
                long tt = t;
                refreshed.values().removeIf(v -> tt - v > 30 * S);
                assertThat(f.status().flows()).isEqualTo(refreshed.size());
            }
        }
        assertThat(f.status().evicted()).isZero();
    }

    @Test
    void underPressureTheTableStaysWithinItsCapacityAndFindsWhatItHolds() {
        StatefulFilter f = new StatefulFilter(1024, Timeouts.LINUX);
        Random rnd = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            int port = 1 + rnd.nextInt(5000);
            byte[] p = Packets.udp(ME, port, PEER, 53);
            Decision d = f.decide(OUTBOUND, p, 0, p.length, now + round);
            assertThat(d).isIn(ACCEPT_NEW, ACCEPT_ESTABLISHED, DROP_TABLE_FULL);
            if (d == ACCEPT_NEW) {
                assertThat(f.decide(OUTBOUND, p, 0, p.length, now + round)).isEqualTo(ACCEPT_ESTABLISHED);
            }
        }
        FilterStatus st = f.status();
        assertThat(st.flows()).isLessThanOrEqualTo(1024).isGreaterThan(900);
        assertThat(st.evicted()).isPositive();
    }

    @Test
    void fragmentsAndExtensionHeaders() {
        filter.setRules(rules(List.of(rule("tcp", 22, 22)), List.of()));
        byte[] syn = Packets.tcp(PEER, 40000, ME, 22, SYN);
        assertThat(in(Packets.v4Fragment(syn, 0))).isEqualTo(ACCEPT_NEW); // first fragment: judged
        assertThat(in(Packets.v4Fragment(Packets.tcp(PEER, 40000, ME, 23, SYN), 0)))
                .isEqualTo(DROP_NO_MATCH);
        assertThat(in(Packets.v4Fragment(Packets.tcp(PEER, 40000, ME, 23, SYN), 185)))
                .isEqualTo(ACCEPT_FRAGMENT);
        assertThat(in(Packets.tcpV6WithOptions(PEER6, 40000, ME6, 22, SYN, 3))).isEqualTo(ACCEPT_NEW);
        assertThat(in(Packets.tcpV6WithOptions(PEER6, 40001, ME6, 23, SYN, 8))).isEqualTo(DROP_NO_MATCH);
        assertThat(in(Packets.tcpV6WithOptions(PEER6, 40002, ME6, 22, SYN, 9))).isEqualTo(DROP_INVALID);
    }

    @Test
    void malformedPacketsAreDroppedAndCounted() {
        byte[] good = Packets.tcp(PEER, 40000, ME, 22, SYN);
        assertThat(in(new byte[0])).isEqualTo(DROP_INVALID);
        assertThat(in(Arrays.copyOf(good, 19))).isEqualTo(DROP_INVALID);
        assertThat(in(Arrays.copyOf(good, 39))).isEqualTo(DROP_INVALID); // tcp header cut
        byte[] badIhl = good.clone();
        badIhl[0] = 0x44;
        assertThat(in(badIhl)).isEqualTo(DROP_INVALID);
        byte[] longIhl = good.clone();
        longIhl[0] = 0x4f;
        assertThat(in(longIhl)).isEqualTo(DROP_INVALID);
        byte[] version5 = good.clone();
        version5[0] = 0x55;
        assertThat(in(version5)).isEqualTo(DROP_INVALID);
        byte[] totalTooLong = good.clone();
        Packets.put16(totalTooLong, 2, good.length + 1);
        assertThat(in(totalTooLong)).isEqualTo(DROP_INVALID);
        assertThat(filter.decide(INBOUND, good, 1, good.length, now)).isEqualTo(DROP_INVALID);
        assertThat(filter.decide(INBOUND, good, -1, 5, now)).isEqualTo(DROP_INVALID);
        assertThat(filter.decide(INBOUND, null, 0, 20, now)).isEqualTo(DROP_INVALID);
        byte[] padded = Arrays.copyOf(good, good.length + 10); // bytes after the IP total length are ignored
        assertThat(in(padded)).isEqualTo(ACCEPT_NEW);
        assertThat(filter.status().decisions()).containsEntry(DROP_INVALID, 10L);
    }

    @Test
    void statusCountsHitsPerRuleAndDecisions() {
        filter.setRules(rules(List.of(rule("tcp", 22, 22, "100.64.0.0/24"), rule("udp", 1000, 2000)), List.of()));
        in(Packets.tcp(PEER, 1, ME, 22, SYN));
        in(Packets.tcp(PEER, 2, ME, 22, SYN));
        in(Packets.tcp(PEER, 2, ME, 22, ACK));
        in(Packets.udp(PEER, 3, ME, 1500));
        in(Packets.udp(PEER, 4, ME, 3000));
        FilterStatus st = filter.status();
        assertThat(st.rules()).isEqualTo("test");
        assertThat(st.inbound())
                .extracting(FilterStatus.RuleHits::field, FilterStatus.RuleHits::rule, FilterStatus.RuleHits::flows)
                .containsExactly(
                        Tuple.tuple("inbound_rules[0]", "tcp 22 100.64.0.0/24", 2L),
                        Tuple.tuple("inbound_rules[1]", "udp 1000-2000 any", 1L));
        assertThat(st.decisions())
                .containsEntry(ACCEPT_NEW, 3L)
                .containsEntry(ACCEPT_ESTABLISHED, 1L)
                .containsEntry(DROP_NO_MATCH, 1L);
        assertThat(st.dropped()).isEqualTo(1);
        assertThat(st.flows()).isEqualTo(3);
    }
}
