package io.nexodus.netstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * A stack under test on a manual clock, and the test playing its peer segment by segment: {@link #send} hands a
 * crafted segment to the stack, {@link #next} returns the next one the stack emitted.
 */
final class RawPeer {
    static final InetAddress US = PacketCodecTest.A4;
    static final InetAddress PEER = PacketCodecTest.B4;

    final ManualTicker clock = new ManualTicker();
    final ArrayDeque<byte[]> out = new ArrayDeque<>();
    final NetStack stack;
    int peerPort = 40000;
    int ourPort = 80;

    RawPeer() {
        this(NetStackConfig.defaults(List.of(US, PacketCodecTest.A6)));
    }

    RawPeer(NetStackConfig config) {
        stack = new NetStack(config, out::add, clock, new SplittableRandom(7));
    }

    void send(int flags, int seq, int ack, int window, byte[] payload) {
        send(flags, seq, ack, window, TcpOptions.NONE, payload);
    }

    void send(int flags, int seq, int ack, int window, TcpOptions opts, byte[] payload) {
        byte[] p = PacketCodec.encodeTcp(
                PEER, US, new TcpSegment(peerPort, ourPort, seq, ack, flags, window, opts, payload));
        stack.input(p, 0, p.length);
    }

    /** The next TCP segment the stack sent (fails if none). */
    TcpSegment next() {
        byte[] p = out.poll();
        assertThat(p).as("a segment from the stack").isNotNull();
        try {
            IpPacket ip = PacketCodec.parseIp(p, 0, p.length);
            assertThat(ip.protocol()).isEqualTo(IpPacket.TCP);
            return PacketCodec.parseTcp(ip);
        } catch (Malformed m) {
            throw new AssertionError("stack sent a malformed packet: " + m.reason());
        }
    }

    void assertSilent() {
        assertThat(out).as("segments from the stack").isEmpty();
    }

    /** Moves the clock and runs due timers. */
    void advance(Duration d) {
        clock.advance(d);
        stack.advance();
    }

    void advanceMillis(long ms) {
        advance(Duration.ofMillis(ms));
    }

    /** Our listener on {@link #ourPort}. */
    TcpListener listen(int backlog) throws Exception {
        return stack.listen(ourPort, backlog);
    }

    /** Active open from the stack to the peer; returns the connection in SYN_SENT. */
    TcpConnection connect() throws Exception {
        stack.lock().lock();
        try {
            TcpConnection c = stack.openActive(new InetSocketAddress(PEER, peerPort));
            ourPort = c.key.localPort();
            return c;
        } finally {
            stack.lock().unlock();
        }
    }

    TcpConnection connection() {
        stack.lock().lock();
        try {
            return stack.connection(new FlowKey(US, ourPort, PEER, peerPort));
        } finally {
            stack.lock().unlock();
        }
    }

    TcpState state() {
        TcpConnection c = connection();
        return c == null ? TcpState.CLOSED : c.state;
    }

    /** Peer's ISN in these tests. */
    static final int PISS = 1000;

    /**
     * Passive open completed by hand: SYN (with the given options), the stack's SYN-ACK, our ACK. Returns the
     * stack's ISN + 1 (its first data sequence number).
     */
    int handshakeIn(TcpOptions synOptions, int window) {
        send(TcpSegment.SYN, PISS, 0, window, synOptions, new byte[0]);
        TcpSegment synAck = next();
        assertThat(synAck.has(TcpSegment.SYN) && synAck.has(TcpSegment.ACK)).isTrue();
        assertThat(synAck.ack()).isEqualTo(PISS + 1);
        send(TcpSegment.ACK, PISS + 1, synAck.seq() + 1, window, new byte[0]);
        return synAck.seq() + 1;
    }

    /** Runs {@code r} with the stack's lock held. */
    <T> T locked(Supplier<T> r) {
        stack.lock().lock();
        try {
            return r.get();
        } finally {
            stack.lock().unlock();
        }
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
