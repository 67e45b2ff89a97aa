package io.nexodus.netstack;

import static io.nexodus.netstack.TcpSegment.ACK;
import static io.nexodus.netstack.TcpSegment.FIN;
import static io.nexodus.netstack.TcpSegment.RST;
import static io.nexodus.netstack.TcpSegment.SYN;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TCP state machine against a peer played by hand, on a manual clock: opens, data, closes and resets. */
class TcpStateMachineTest {
    static final int PISS = RawPeer.PISS;
    static final byte[] NONE = new byte[0];

    @Test
    void passiveOpenNegotiatesMssAndWindowScaleAndDeliversData() throws Exception {
        RawPeer p = new RawPeer();
        TcpListener l = p.listen(4);
        p.send(SYN, PISS, 0, 65535, new TcpOptions(1000, 7, true, -1, -1), NONE);
        TcpSegment synAck = p.next();
        assertThat(synAck.flags()).isEqualTo(SYN | ACK);
        assertThat(synAck.ack()).isEqualTo(PISS + 1);
        assertThat(synAck.options().mss()).isEqualTo(1420 - 40);
        assertThat(synAck.options().windowScale()).isEqualTo(3); // 256 KiB >> 3 fits 16 bits
        assertThat(synAck.options().sackPermitted()).isFalse();
        assertThat(p.state()).isEqualTo(TcpState.SYN_RECEIVED);

        int iss = synAck.seq();
        p.send(ACK, PISS + 1, iss + 1, 100, NONE); // scaled by 7: 12800 bytes
        assertThat(p.state()).isEqualTo(TcpState.ESTABLISHED);
        TcpSocket s = l.accept(Duration.ZERO);
        assertThat(p.connection().sender.sndWnd).isEqualTo(100 << 7);
        assertThat(p.connection().sender.mss).isEqualTo(1000);

        p.send(ACK, PISS + 1, iss + 1, 100, "hello".getBytes(UTF_8));
        TcpSegment ack = p.next();
        assertThat(ack.ack()).isEqualTo(PISS + 6);
        assertThat(ack.window() << 3).isLessThanOrEqualTo(256 * 1024 - 5);
        byte[] got = new byte[16];
        assertThat(s.getInputStream().read(got)).isEqualTo(5);

        // sending: segments no larger than the peer's MSS
        s.getOutputStream().write(RawPeer.bytes(2500, 1));
        TcpSegment d1 = p.next();
        TcpSegment d2 = p.next();
        TcpSegment d3 = p.next();
        assertThat(List.of(d1.payload().length, d2.payload().length, d3.payload().length))
                .containsExactly(1000, 1000, 500);
        assertThat(d1.seq()).isEqualTo(iss + 1);
        assertThat(d3.has(TcpSegment.PSH)).isTrue();
    }

    @Test
    void withoutWindowScaleFromThePeerNeitherSideScales() throws Exception {
        RawPeer p = new RawPeer();
        p.listen(4);
        {
            p.send(SYN, PISS, 0, 65535, new TcpOptions(1460, -1, false, -1, -1), NONE);
            TcpSegment synAck = p.next();
            assertThat(synAck.options().windowScale()).isEqualTo(-1);
            p.send(ACK, PISS + 1, synAck.seq() + 1, 65535, NONE);
            assertThat(p.connection().rcvScale).isZero();
            p.send(ACK, PISS + 1, synAck.seq() + 1, 65535, "x".getBytes(UTF_8));
            assertThat(p.next().window()).isEqualTo(65535); // 256 KiB free, capped to 16 bits unscaled
        }
    }

    @Test
    void activeOpenWithDefaultMssWhenThePeerSendsNone() throws Exception {
        RawPeer p = new RawPeer();
        TcpConnection c = p.connect();
        TcpSegment syn = p.next();
        assertThat(syn.flags()).isEqualTo(SYN);
        assertThat(syn.options().mss()).isEqualTo(1380);
        assertThat(syn.options().windowScale()).isEqualTo(3);
        p.advanceMillis(30);
        p.send(SYN | ACK, PISS, syn.seq() + 1, 8000, NONE);
        TcpSegment ack = p.next();
        assertThat(ack.flags()).isEqualTo(ACK);
        assertThat(ack.ack()).isEqualTo(PISS + 1);
        assertThat(c.state).isEqualTo(TcpState.ESTABLISHED);
        assertThat(c.sender.mss).isEqualTo(536);
        assertThat(c.sender.sndWnd).isEqualTo(8000); // a SYN's window is never scaled
        assertThat(c.sender.rtt.srtt()).isEqualTo(Duration.ofMillis(30).toNanos());
    }

    @Test
    void simultaneousOpen() throws Exception {
        RawPeer p = new RawPeer();
        TcpConnection c = p.connect();
        TcpSegment syn = p.next();
        p.send(SYN, PISS, 0, 8000, new TcpOptions(1200, 0, false, -1, -1), NONE);
        assertThat(c.state).isEqualTo(TcpState.SYN_RECEIVED);
        TcpSegment synAck = p.next();
        assertThat(synAck.flags()).isEqualTo(SYN | ACK);
        assertThat(synAck.seq()).isEqualTo(syn.seq());
        p.send(SYN | ACK, PISS, syn.seq() + 1, 8000, NONE); // the peer's SYN-ACK crossing ours: challenge ACK
        p.send(ACK, PISS + 1, syn.seq() + 1, 8000, NONE);
        assertThat(c.state).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void refusedConnectReportsIt() throws Exception {
        RawPeer p = new RawPeer();
        TcpConnection c = p.connect();
        TcpSegment syn = p.next();
        p.send(RST | ACK, 0, syn.seq() + 1, 0, NONE);
        assertThat(c.state).isEqualTo(TcpState.CLOSED);
        assertThat(c.error).hasMessage("Connection refused");
        assertThat(p.stack.stats().tcpConnections()).isZero();
    }

    @Test
    void segmentsToClosedPortsAreReset() {
        RawPeer p = new RawPeer();
        p.send(SYN, PISS, 0, 1000, NONE);
        TcpSegment rst = p.next();
        assertThat(rst.flags()).isEqualTo(RST | ACK);
        assertThat(rst.seq()).isZero();
        assertThat(rst.ack()).isEqualTo(PISS + 1);

        p.send(ACK, PISS, 777, 1000, "data".getBytes(UTF_8));
        TcpSegment rst2 = p.next();
        assertThat(rst2.flags()).isEqualTo(RST);
        assertThat(rst2.seq()).isEqualTo(777);

        p.send(RST, PISS, 0, 0, NONE); // never answer a RST
        p.assertSilent();
        assertThat(p.stack.stats().drops(DropReason.TCP_NO_CONNECTION)).isEqualTo(3);
        assertThat(p.stack.stats().tcpResetsSent()).isEqualTo(2);
    }

    @Test
    void backlogBoundsHalfOpenAndUnacceptedConnections() throws Exception {
        RawPeer p = new RawPeer();
        TcpListener l = p.listen(2);
        for (int i = 0; i < 3; i++) {
            p.peerPort = 40000 + i;
            p.send(SYN, PISS, 0, 1000, NONE);
        }
        assertThat(p.out).hasSize(2); // two SYN-ACKs, the third SYN dropped silently
        assertThat(p.stack.stats().drops(DropReason.TCP_BACKLOG_FULL)).isEqualTo(1);
        p.out.clear();
        p.peerPort = 40000;
        TcpSegment synAck = handshakeFromSynAck(p);
        assertThat(l.accept(Duration.ZERO)).isNotNull();
        p.peerPort = 40002;
        p.send(SYN, PISS, 0, 1000, NONE); // room again after accept
        assertThat(p.next().has(SYN)).isTrue();
        assertThat(synAck).isNotNull();
    }

    private static TcpSegment handshakeFromSynAck(RawPeer p) {
        p.send(SYN, PISS, 0, 1000, NONE); // retransmitted SYN: the SYN-ACK again
        TcpSegment synAck = p.next();
        p.send(ACK, PISS + 1, synAck.seq() + 1, 1000, NONE);
        return synAck;
    }

    @Test
    void fullTableDropsSyns() throws Exception {
        RawPeer p = new RawPeer(NetStackConfig.defaults(List.of(RawPeer.US)).withMaxConnections(1));
        p.listen(8);
        p.send(SYN, PISS, 0, 1000, NONE);
        p.peerPort++;
        p.send(SYN, PISS, 0, 1000, NONE);
        assertThat(p.out).hasSize(1);
        assertThat(p.stack.stats().drops(DropReason.TCP_TABLE_FULL)).isEqualTo(1);
        assertThatThrownBy(p::connect).isInstanceOf(SocketException.class).hasMessageContaining("table full");
    }

    @Test
    void outOfOrderDataIsReassembledAndDuplicateAcked() throws Exception {
        RawPeer p = new RawPeer();
        TcpListener l = p.listen(1);
        int iss = p.handshakeIn(TcpOptions.NONE, 65535);
        TcpSocket s = l.accept(Duration.ZERO);
        byte[] data = RawPeer.bytes(3000, 5);
        p.send(ACK, PISS + 1 + 1000, iss, 65535, Arrays.copyOfRange(data, 1000, 2000));
        assertThat(p.next().ack()).isEqualTo(PISS + 1); // duplicate ACK for the hole
        p.send(ACK, PISS + 1 + 2000, iss, 65535, Arrays.copyOfRange(data, 2000, 3000));
        assertThat(p.next().ack()).isEqualTo(PISS + 1);
        assertThat(s.getInputStream().available()).isZero();
        p.send(ACK, PISS + 1, iss, 65535, Arrays.copyOfRange(data, 0, 1500)); // overlaps the next piece
        assertThat(p.next().ack()).isEqualTo(PISS + 1 + 3000);
        assertThat(s.getInputStream().readNBytes(3000)).isEqualTo(data);
        // an old duplicate is acknowledged, not delivered again
        p.send(ACK, PISS + 1, iss, 65535, Arrays.copyOfRange(data, 0, 100));
        assertThat(p.next().ack()).isEqualTo(PISS + 1 + 3000);
        assertThat(s.getInputStream().available()).isZero();
    }

    @Test
    void aFullReceiveBufferClosesTheWindowAndReadingReopensIt() throws Exception {
        RawPeer p = new RawPeer(NetStackConfig.defaults(List.of(RawPeer.US)).withBuffers(8192, 4000));
        TcpListener l = p.listen(1);
        int iss = p.handshakeIn(new TcpOptions(1000, 0, false, -1, -1), 65535);
        TcpSocket s = l.accept(Duration.ZERO);
        for (int i = 0; i < 4; i++) {
            p.send(ACK, PISS + 1 + i * 1000, iss, 65535, RawPeer.bytes(1000, i));
            p.next();
        }
        p.send(ACK, PISS + 1 + 4000, iss, 65535, RawPeer.bytes(1000, 9)); // beyond the window
        TcpSegment ack = p.next();
        assertThat(ack.ack()).isEqualTo(PISS + 1 + 4000);
        assertThat(ack.window()).isZero();
        InputStream in = s.getInputStream();
        in.readNBytes(500); // below the SWS threshold (min(MSS, buffer/2) = 1380... capped at 2000): no update
        p.assertSilent();
        in.readNBytes(1500);
        TcpSegment update = p.next();
        assertThat(update.window()).isEqualTo(2000);
        assertThat(update.ack()).isEqualTo(PISS + 1 + 4000);
    }

    @Test
    void dataArrivingAfterCloseIsAnsweredWithReset() throws Exception {
        RawPeer p = new RawPeer();
        TcpListener l = p.listen(1);
        int iss = p.handshakeIn(TcpOptions.NONE, 65535);
        TcpSocket s = l.accept(Duration.ZERO);
        p.send(ACK, PISS + 1, iss, 65535, "abc".getBytes(UTF_8));
        p.next();
        assertThat(s.getInputStream().readNBytes(3)).isEqualTo("abc".getBytes(UTF_8));
        s.close();
        TcpSegment fin = p.next();
        assertThat(fin.flags()).isEqualTo(ACK | FIN);
        assertThat(p.state()).isEqualTo(TcpState.FIN_WAIT_1);
        // an old duplicate (our ACK was lost) is acknowledged, not reset
        p.send(ACK, PISS + 1, iss, 65535, "abc".getBytes(UTF_8));
        assertThat(p.next().flags()).isEqualTo(ACK);
        assertThat(p.state()).isEqualTo(TcpState.FIN_WAIT_1);
        p.send(ACK, PISS + 4, iss + 1, 65535, "late".getBytes(UTF_8));
        TcpSegment rst = p.next();
        assertThat(rst.has(RST)).isTrue();
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void closingWithUnreadDataResets() throws Exception {
        RawPeer p = new RawPeer();
        TcpListener l = p.listen(1);
        int iss = p.handshakeIn(TcpOptions.NONE, 65535);
        TcpSocket s = l.accept(Duration.ZERO);
        p.send(ACK, PISS + 1, iss, 65535, "unread".getBytes(UTF_8));
        p.next();
        s.close();
        TcpSegment rst = p.next();
        assertThat(rst.flags()).isEqualTo(RST | ACK);
        assertThat(rst.seq()).isEqualTo(iss);
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void exactResetClosesAndReadersSeeIt() throws Exception {
        RawPeer p = new RawPeer();
        TcpListener l = p.listen(1);
        int iss = p.handshakeIn(TcpOptions.NONE, 65535);
        TcpSocket s = l.accept(Duration.ZERO);
        p.send(RST, PISS + 5, 0, 0, NONE); // in window, not exact: challenge ACK (RFC 5961)
        TcpSegment challenge = p.next();
        assertThat(challenge.flags()).isEqualTo(ACK);
        assertThat(challenge.ack()).isEqualTo(PISS + 1);
        assertThat(p.state()).isEqualTo(TcpState.ESTABLISHED);
        p.send(SYN, PISS + 7, 0, 1000, NONE); // SYN in window: challenge ACK too
        assertThat(p.next().flags()).isEqualTo(ACK);
        assertThat(p.state()).isEqualTo(TcpState.ESTABLISHED);
        p.send(RST, PISS + 1, 0, 0, NONE);
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
        assertThatThrownBy(() -> s.getInputStream().read())
                .isInstanceOf(SocketException.class)
                .hasMessage("Connection reset");
        assertThatThrownBy(() -> s.getOutputStream().write(1)).isInstanceOf(SocketException.class);
        assertThat(iss).isNotZero();
    }

    @Test
    void activeCloseGoesThroughFinWait2AndTimeWait() throws Exception {
        RawPeer p = new RawPeer();
        TcpListener l = p.listen(1);
        int iss = p.handshakeIn(TcpOptions.NONE, 65535);
        TcpSocket s = l.accept(Duration.ZERO);
        s.getOutputStream().write("bye".getBytes(UTF_8));
        p.next();
        s.shutdownOutput();
        TcpSegment fin = p.next();
        assertThat(fin.flags()).isEqualTo(ACK | FIN);
        assertThat(fin.seq()).isEqualTo(iss + 3);
        assertThat(p.state()).isEqualTo(TcpState.FIN_WAIT_1);
        p.send(ACK, PISS + 1, iss + 4, 65535, NONE);
        assertThat(p.state()).isEqualTo(TcpState.FIN_WAIT_2);
        p.send(ACK, PISS + 1, iss + 4, 65535, "still".getBytes(UTF_8)); // half-closed: we still receive
        p.next();
        assertThat(s.getInputStream().readNBytes(5)).isEqualTo("still".getBytes(UTF_8));
        p.send(ACK | FIN, PISS + 6, iss + 4, 65535, NONE);
        TcpSegment lastAck = p.next();
        assertThat(lastAck.ack()).isEqualTo(PISS + 7);
        assertThat(p.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        // a retransmitted FIN is acknowledged again and restarts 2*MSL
        p.advance(Duration.ofSeconds(50));
        p.send(ACK | FIN, PISS + 6, iss + 4, 65535, NONE);
        assertThat(p.next().ack()).isEqualTo(PISS + 7);
        p.advance(Duration.ofSeconds(59));
        assertThat(p.state()).isEqualTo(TcpState.TIME_WAIT);
        p.advance(Duration.ofSeconds(1));
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
        assertThat(p.stack.stats().tcpConnections()).isZero();
        p.assertSilent();
    }

    @Test
    void passiveCloseGoesThroughCloseWaitAndLastAck() throws Exception {
        RawPeer p = new RawPeer();
        TcpListener l = p.listen(1);
        int iss = p.handshakeIn(TcpOptions.NONE, 65535);
        TcpSocket s = l.accept(Duration.ZERO);
        p.send(ACK | FIN, PISS + 1, iss, 65535, "last".getBytes(UTF_8));
        assertThat(p.next().ack()).isEqualTo(PISS + 6);
        assertThat(p.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(s.getInputStream().readAllBytes()).isEqualTo("last".getBytes(UTF_8));
        s.getOutputStream().write("reply".getBytes(UTF_8)); // CLOSE_WAIT may still send
        assertThat(p.next().payload()).isEqualTo("reply".getBytes(UTF_8));
        s.close();
        TcpSegment fin = p.next();
        assertThat(fin.flags()).isEqualTo(ACK | FIN);
        assertThat(p.state()).isEqualTo(TcpState.LAST_ACK);
        p.send(ACK, PISS + 6, iss + 5, 65535, NONE); // acknowledges data, not the FIN
        assertThat(p.state()).isEqualTo(TcpState.LAST_ACK);
        p.send(ACK, PISS + 6, iss + 6, 65535, NONE);
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void simultaneousCloseGoesThroughClosing() throws Exception {
        RawPeer p = new RawPeer();
        TcpListener l = p.listen(1);
        int iss = p.handshakeIn(TcpOptions.NONE, 65535);
        TcpSocket s = l.accept(Duration.ZERO);
        s.shutdownOutput();
        TcpSegment fin = p.next();
        p.send(ACK | FIN, PISS + 1, iss, 65535, NONE); // the peer's FIN, not acknowledging ours
        assertThat(p.state()).isEqualTo(TcpState.CLOSING);
        assertThat(p.next().ack()).isEqualTo(PISS + 2);
        p.send(ACK, PISS + 2, fin.seq() + 1, 65535, NONE);
        assertThat(p.state()).isEqualTo(TcpState.TIME_WAIT);
        p.advance(Duration.ofSeconds(60));
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void finWait2OfAClosedSocketEndsAfterItsTimeout() throws Exception {
        RawPeer p = new RawPeer(NetStackConfig.defaults(List.of(RawPeer.US))
                .withTimeWait(Duration.ofSeconds(4), Duration.ofSeconds(10)));
        TcpListener l = p.listen(1);
        int iss = p.handshakeIn(TcpOptions.NONE, 65535);
        l.accept(Duration.ZERO).close();
        p.next();
        p.send(ACK, PISS + 1, iss + 1, 65535, NONE);
        assertThat(p.state()).isEqualTo(TcpState.FIN_WAIT_2);
        p.advance(Duration.ofSeconds(9));
        assertThat(p.state()).isEqualTo(TcpState.FIN_WAIT_2);
        p.advance(Duration.ofSeconds(1));
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void abortSendsResetAndFinIsOutOfOrderTolerant() throws Exception {
        RawPeer p = new RawPeer();
        TcpListener l = p.listen(1);
        int iss = p.handshakeIn(TcpOptions.NONE, 65535);
        TcpSocket s = l.accept(Duration.ZERO);
        // FIN that arrives before the data in front of it
        p.send(ACK | FIN, PISS + 1 + 3, iss, 65535, "def".getBytes(UTF_8));
        assertThat(p.next().ack()).isEqualTo(PISS + 1);
        assertThat(p.state()).isEqualTo(TcpState.ESTABLISHED);
        p.send(ACK, PISS + 1, iss, 65535, "abc".getBytes(UTF_8));
        assertThat(p.next().ack()).isEqualTo(PISS + 1 + 6 + 1);
        assertThat(p.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(s.getInputStream().readAllBytes()).isEqualTo("abcdef".getBytes(UTF_8));
        s.abort();
        assertThat(p.next().has(RST)).isTrue();
        assertThat(p.state()).isEqualTo(TcpState.CLOSED);
    }
}
