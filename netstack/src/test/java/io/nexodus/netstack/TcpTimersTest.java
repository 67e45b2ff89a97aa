package io.nexodus.netstack;

import static io.nexodus.netstack.TcpSegment.ACK;
import static io.nexodus.netstack.TcpSegment.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every TCP timer on a manual clock: retransmission and backoff, fast recovery, persist, keepalive, SYN limits. */
class TcpTimersTest {
    static final int PISS = RawPeer.PISS;
    static final byte[] NONE = new byte[0];
    static final TcpOptions MSS_1000 = new TcpOptions(1000, -1, false, -1, -1);

    /** An established connection (passive open) and its socket; the handshake took {@code rttMillis}. */
    record Open(RawPeer p, TcpSocket s, int iss) {}

    static Open open(NetStackConfig config, int window, long rttMillis) throws Exception {
        RawPeer p = new RawPeer(config);
        TcpListener l = p.listen(1);
        p.send(SYN, PISS, 0, window, MSS_1000, NONE);
        TcpSegment synAck = p.next();
        p.advanceMillis(rttMillis);
        p.send(ACK, PISS + 1, synAck.seq() + 1, window, NONE);
        return new Open(p, l.accept(Duration.ZERO), synAck.seq() + 1);
    }

    static Open open() throws Exception {
        return open(NetStackConfig.defaults(List.of(RawPeer.US)), 65535, 50);
    }

    @Test
    void retransmitsWithExponentialBackoffAndGivesUp() throws Exception {
        Open o = open(NetStackConfig.defaults(List.of(RawPeer.US)).withRetransmits(3, 6), 65535, 50);
        RawPeer p = o.p();
        // the handshake's sample: SRTT 50 ms, RTTVAR 25 ms, RTO = 50 + 4*25 = 150 ms, raised to the 200 ms floor
        assertThat(p.connection().sender.rtt.rto())
                .isEqualTo(Duration.ofMillis(200).toNanos());
        o.s().getOutputStream().write(RawPeer.bytes(100, 1));
        TcpSegment first = p.next();
        p.advanceMillis(199);
        p.assertSilent();
        p.advanceMillis(1);
        TcpSegment again = p.next();
        assertThat(again.seq()).isEqualTo(first.seq());
        assertThat(again.payload()).isEqualTo(first.payload());
        p.advanceMillis(399);
        p.assertSilent();
        p.advanceMillis(1); // 400 ms: doubled
        p.next();
        p.advanceMillis(800);
        p.next();
        assertThat(p.stack.stats().tcpRetransmits()).isEqualTo(3);
        p.advanceMillis(1600); // the fourth timeout exceeds maxRetransmits = 3
        p.assertSilent();
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
        assertThatThrownBy(() -> o.s().getInputStream().read())
                .isInstanceOf(SocketException.class)
                .hasMessage("Connection timed out");
    }

    @Test
    void anAckStopsTheTimerAndKarnIgnoresRetransmittedSamples() throws Exception {
        Open o = open();
        RawPeer p = o.p();
        o.s().getOutputStream().write(RawPeer.bytes(100, 1));
        p.next();
        p.advanceMillis(200);
        p.next(); // retransmitted: RTO backed off to 400 ms
        long srtt = p.connection().sender.rtt.srtt();
        p.advanceMillis(10);
        p.send(ACK, PISS + 1, o.iss() + 100, 65535, NONE);
        assertThat(p.connection().sender.rtt.srtt()).isEqualTo(srtt); // no sample from a retransmission
        assertThat(p.connection().sender.rtt.rto())
                .isEqualTo(Duration.ofMillis(400).toNanos());
        p.advance(Duration.ofSeconds(10));
        p.assertSilent();
        // a segment sent once gives a sample again and brings the RTO back down
        o.s().getOutputStream().write(RawPeer.bytes(100, 2));
        p.next();
        p.advanceMillis(20);
        p.send(ACK, PISS + 1, o.iss() + 200, 65535, NONE);
        assertThat(p.connection().sender.rtt.srtt()).isLessThan(srtt);
        assertThat(p.connection().sender.rtt.rto())
                .isEqualTo(Duration.ofMillis(200).toNanos());
    }

    @Test
    void timeoutCollapsesTheWindowAndResendsFromTheFirstHole() throws Exception {
        Open o = open();
        RawPeer p = o.p();
        o.s().getOutputStream().write(RawPeer.bytes(5000, 1));
        for (int i = 0; i < 5; i++) {
            p.next();
        }
        p.advanceMillis(200);
        TcpSegment r = p.next();
        assertThat(r.seq()).isEqualTo(o.iss());
        p.assertSilent(); // cwnd = one segment
        assertThat(p.connection().sender.cc.cwnd()).isEqualTo(1000);
        assertThat(p.connection().sender.cc.ssthresh()).isEqualTo(2500);
        p.send(ACK, PISS + 1, o.iss() + 1000, 65535, NONE);
        // slow start: two more segments (go-back-N from the first unacknowledged byte)
        assertThat(p.next().seq()).isEqualTo(o.iss() + 1000);
        assertThat(p.next().seq()).isEqualTo(o.iss() + 2000);
        p.assertSilent();
    }

    @Test
    void acksAfterATimeoutCarryTheHighestSequenceSentSoThePeerAcceptsThem() throws Exception {
        Open o = open();
        RawPeer p = o.p();
        int iss = o.iss();
        o.s().getOutputStream().write(RawPeer.bytes(3000, 1));
        for (int i = 0; i < 3; i++) {
            p.next();
        }
        p.advanceMillis(200);
        assertThat(p.next().seq()).isEqualTo(iss); // go-back-N: sndNxt is back at iss + 1000
        // the peer (which received all 3000 bytes, its ACK lost) sends data: our ACK must be numbered iss + 3000,
        // or the peer, whose RCV.NXT is there, finds it unacceptable and ignores it
        p.send(ACK, PISS + 1, iss, 65535, "x".getBytes(StandardCharsets.UTF_8));
        TcpSegment ack = p.next();
        assertThat(ack.payload()).isEmpty();
        assertThat(ack.seq()).isEqualTo(iss + 3000);
        assertThat(ack.ack()).isEqualTo(PISS + 2);
    }

    /**
     * A retransmission after a timeout is MSS-sized from the first unacknowledged byte, so it may carry bytes never
     * sent before; the peer's ACK of them must be taken, not refused as acknowledging unsent data (two stacks
     * stalled that way over a lossy link, each refusing the other's ACKs).
     */
    @Test
    void anAckOfBytesFirstSentInARetransmissionIsTaken() throws Exception {
        Open o = open(NetStackConfig.defaults(List.of(RawPeer.US)), 100, 50);
        RawPeer p = o.p();
        o.s().getOutputStream().write(RawPeer.bytes(100, 1));
        TcpSegment first = p.next();
        assertThat(first.payload()).hasSize(100);
        o.s().getOutputStream().write(RawPeer.bytes(500, 2));
        p.assertSilent(); // the peer's window (100) is full
        p.advanceMillis(200);
        TcpSegment again = p.next();
        assertThat(again.seq()).isEqualTo(first.seq());
        assertThat(again.payload()).hasSize(600);
        p.send(ACK, PISS + 1, o.iss() + 600, 65535, NONE);
        assertThat(p.connection().sender.sndUna).isEqualTo(o.iss() + 600);
    }

    @Test
    void threeDuplicateAcksTriggerFastRetransmitAndNewRenoRecovery() throws Exception {
        Open o = open();
        RawPeer p = o.p();
        int iss = o.iss();
        o.s().getOutputStream().write(RawPeer.bytes(10_000, 1)); // IW10 with MSS 1000: all ten segments
        for (int i = 0; i < 10; i++) {
            assertThat(p.next().seq()).isEqualTo(iss + i * 1000);
        }
        // segments 0 and 3 are lost; the peer acknowledges nothing but duplicates for 1, 2 ...
        p.send(ACK, PISS + 1, iss, 65535, NONE);
        p.send(ACK, PISS + 1, iss, 65535, NONE);
        p.assertSilent();
        p.send(ACK, PISS + 1, iss, 65535, NONE);
        TcpSegment fast = p.next();
        assertThat(fast.seq()).isEqualTo(iss);
        NewReno cc = p.connection().sender.cc;
        assertThat(cc.inRecovery()).isTrue();
        assertThat(cc.ssthresh()).isEqualTo(5000);
        assertThat(cc.cwnd()).isEqualTo(8000);
        // more duplicates inflate the window; new data goes out once it exceeds what is in flight
        for (int i = 0; i < 3; i++) {
            p.send(ACK, PISS + 1, iss, 65535, NONE);
        }
        p.assertSilent(); // nothing new to send: the application wrote only 10 segments
        // a round trip later, the partial ACK up to the second hole: retransmit it at once
        p.advanceMillis(50);
        p.send(ACK, PISS + 1, iss + 3000, 65535, NONE);
        TcpSegment hole = p.next();
        assertThat(hole.seq()).isEqualTo(iss + 3000);
        assertThat(cc.inRecovery()).isTrue();
        // full ACK: recovery ends with cwnd = ssthresh
        p.send(ACK, PISS + 1, iss + 10_000, 65535, NONE);
        assertThat(cc.inRecovery()).isFalse();
        assertThat(cc.cwnd()).isEqualTo(2000); // min(ssthresh, flight(0) + MSS) = RFC 6582 option 1 with nothing out
        assertThat(p.stack.stats().tcpRetransmits()).isEqualTo(2);
        assertThat(p.stack.stats().tcpTimeouts()).isZero();
    }

    @Test
    void limitedTransmitSendsANewSegmentOnEachOfTheFirstTwoDuplicates() throws Exception {
        Open o = open();
        RawPeer p = o.p();
        int iss = o.iss();
        o.s().getOutputStream().write(RawPeer.bytes(12_000, 1));
        for (int i = 0; i < 10; i++) {
            p.next(); // the initial window
        }
        p.assertSilent();
        p.send(ACK, PISS + 1, iss, 65535, NONE);
        assertThat(p.next().seq()).isEqualTo(iss + 10_000);
        p.send(ACK, PISS + 1, iss, 65535, NONE);
        assertThat(p.next().seq()).isEqualTo(iss + 11_000);
        p.send(ACK, PISS + 1, iss, 65535, NONE);
        assertThat(p.next().seq()).isEqualTo(iss); // the third: fast retransmit
        assertThat(p.connection().sender.cc.inRecovery()).isTrue();
    }

    @Test
    void aFastRetransmissionAnsweredTooSoonWasReorderingAndIsUndone() throws Exception {
        Open o = open(); // SRTT 50 ms
        RawPeer p = o.p();
        int iss = o.iss();
        o.s().getOutputStream().write(RawPeer.bytes(10_000, 1));
        for (int i = 0; i < 10; i++) {
            p.next();
        }
        NewReno cc = p.connection().sender.cc;
        int before = cc.cwnd();
        for (int i = 0; i < 3; i++) {
            p.send(ACK, PISS + 1, iss, 65535, NONE);
        }
        assertThat(p.next().seq()).isEqualTo(iss); // fast retransmit
        assertThat(cc.inRecovery()).isTrue();
        // 5 ms later (< SRTT/2) everything up to segment 6 is acknowledged: the "lost" segment was only late
        p.advanceMillis(5);
        p.send(ACK, PISS + 1, iss + 6000, 65535, NONE);
        assertThat(cc.inRecovery()).isFalse();
        assertThat(cc.cwnd()).isGreaterThanOrEqualTo(before);
        assertThat(p.stack.stats().tcpSpuriousRetransmits()).isEqualTo(1);
        p.assertSilent(); // no retransmission of segment 6 as a "partial ACK" hole
    }

    @Test
    void zeroWindowIsProbedWithBackoffUntilItOpens() throws Exception {
        Open o = open(NetStackConfig.defaults(List.of(RawPeer.US)), 2000, 50);
        RawPeer p = o.p();
        int iss = o.iss();
        o.s().getOutputStream().write(RawPeer.bytes(3000, 1));
        p.next();
        p.next();
        p.assertSilent(); // window full
        p.send(ACK, PISS + 1, iss + 2000, 0, NONE); // everything acknowledged, window closed
        p.assertSilent();
        p.advanceMillis(200);
        TcpSegment probe = p.next();
        assertThat(probe.seq()).isEqualTo(iss + 2000 - 1);
        assertThat(probe.payload()).isEmpty();
        p.send(ACK, PISS + 1, iss + 2000, 0, NONE); // still closed
        p.advanceMillis(399);
        p.assertSilent();
        p.advanceMillis(1);
        p.next(); // 400 ms
        p.send(ACK, PISS + 1, iss + 2000, 0, NONE);
        p.advanceMillis(800);
        p.next(); // 800 ms
        // the window update: the last 1000 bytes go at once, the persist timer stops
        p.send(ACK, PISS + 1, iss + 2000, 4000, NONE);
        TcpSegment rest = p.next();
        assertThat(rest.seq()).isEqualTo(iss + 2000);
        assertThat(rest.payload()).hasSize(1000);
        p.send(ACK, PISS + 1, iss + 3000, 4000, NONE);
        p.advance(Duration.ofSeconds(30));
        p.assertSilent();
        assertThat(p.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void aLostWindowUpdateIsRecoveredByTheProbe() throws Exception {
        Open o = open(NetStackConfig.defaults(List.of(RawPeer.US)), 1000, 50);
        RawPeer p = o.p();
        int iss = o.iss();
        o.s().getOutputStream().write(RawPeer.bytes(2000, 1));
        p.next();
        p.send(ACK, PISS + 1, iss + 1000, 0, NONE);
        // the peer's window update (1000 -> 8000) is lost; the probe's answer carries it
        p.advanceMillis(200);
        p.next();
        p.send(ACK, PISS + 1, iss + 1000, 8000, NONE);
        assertThat(p.next().seq()).isEqualTo(iss + 1000);
    }

    @Test
    void keepaliveProbesAnIdleConnectionAndAbortsWhenUnanswered() throws Exception {
        NetStackConfig cfg = NetStackConfig.defaults(List.of(RawPeer.US))
                .withKeepalive(Duration.ofSeconds(60), Duration.ofSeconds(10), 3);
        Open o = open(cfg, 65535, 50);
        RawPeer p = o.p();
        o.s().setKeepAlive(true);
        p.advance(Duration.ofSeconds(59));
        p.assertSilent();
        p.advance(Duration.ofSeconds(1));
        TcpSegment probe = p.next();
        assertThat(probe.seq()).isEqualTo(o.iss() - 1);
        // answered: the idle period starts again
        p.send(ACK, PISS + 1, o.iss(), 65535, NONE);
        p.advance(Duration.ofSeconds(59));
        p.assertSilent();
        p.advance(Duration.ofSeconds(1));
        p.next();
        p.advance(Duration.ofSeconds(10));
        p.next();
        p.advance(Duration.ofSeconds(10));
        p.next();
        assertThat(p.state()).isEqualTo(TcpState.ESTABLISHED);
        p.advance(Duration.ofSeconds(10)); // three unanswered: abort
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
        assertThatThrownBy(() -> o.s().getInputStream().read())
                .isInstanceOf(SocketException.class)
                .hasMessageContaining("keepalive");
    }

    @Test
    void keepaliveIsOffByDefault() throws Exception {
        Open o = open();
        o.p().advance(Duration.ofHours(3));
        o.p().assertSilent();
        assertThat(o.p().state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void synIsRetransmittedWithBackoffAndConnectTimesOut() throws Exception {
        RawPeer p = new RawPeer(NetStackConfig.defaults(List.of(RawPeer.US)).withRetransmits(15, 2));
        TcpConnection c = p.connect();
        TcpSegment syn = p.next();
        p.advanceMillis(1000); // initial RTO 1 s
        assertThat(p.next().seq()).isEqualTo(syn.seq());
        p.advanceMillis(1999);
        p.assertSilent();
        p.advanceMillis(1);
        p.next();
        p.advanceMillis(4000);
        assertThat(c.state).isEqualTo(TcpState.CLOSED);
        assertThat(c.error).hasMessage("Connection timed out");
    }

    @Test
    void afterALostSynTheRtoIsThreeSeconds() throws Exception {
        RawPeer p = new RawPeer();
        TcpConnection c = p.connect();
        TcpSegment syn = p.next();
        p.advanceMillis(1000);
        p.next();
        p.advanceMillis(100);
        p.send(SYN | ACK, PISS, syn.seq() + 1, 8000, MSS_1000, NONE);
        assertThat(c.state).isEqualTo(TcpState.ESTABLISHED);
        assertThat(c.sender.rtt.rto()).isEqualTo(Duration.ofSeconds(3).toNanos());
    }

    @Test
    void halfOpenConnectionsGiveUpAfterSynAckRetries() throws Exception {
        RawPeer p = new RawPeer(NetStackConfig.defaults(List.of(RawPeer.US)).withRetransmits(15, 1));
        TcpListener l = p.listen(1);
        p.send(SYN, PISS, 0, 1000, NONE);
        p.next();
        p.advanceMillis(1000);
        assertThat(p.next().flags()).isEqualTo(SYN | ACK);
        p.advanceMillis(2000);
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
        // the listener has room again
        p.peerPort++;
        p.send(SYN, PISS, 0, 1000, NONE);
        assertThat(p.next().flags()).isEqualTo(SYN | ACK);
        assertThat(l.port()).isEqualTo(80);
    }

    @Test
    void finIsRetransmittedToo() throws Exception {
        Open o = open();
        RawPeer p = o.p();
        o.s().close();
        TcpSegment fin = p.next();
        p.advanceMillis(200);
        TcpSegment again = p.next();
        assertThat(again.flags()).isEqualTo(fin.flags());
        assertThat(again.seq()).isEqualTo(fin.seq());
        p.send(ACK, PISS + 1, fin.seq() + 1, 65535, NONE);
        assertThat(p.state()).isEqualTo(TcpState.FIN_WAIT_2);
    }
}
