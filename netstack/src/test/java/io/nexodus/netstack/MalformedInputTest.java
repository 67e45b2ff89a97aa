package io.nexodus.netstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated packets into a stack with a listener, live connections and a UDP socket: nothing escapes
 * {@link NetStack#input}, nothing is counted as {@link DropReason#INTERNAL}, and the stack still works afterwards.
 * Half of the mutations get their checksums fixed so they reach the TCP state machine instead of dying at the
 * checksum. (Coverage-guided fuzzing of the same entry point: {@code NetStackFuzzTest}.)
 */
class MalformedInputTest {
    static final InetAddress US = PacketCodecTest.A4;
    static final InetAddress US6 = PacketCodecTest.A6;
    static final InetAddress PEER = PacketCodecTest.B4;
    static final InetAddress PEER6 = PacketCodecTest.B6;

    static List<byte[]> seeds() {
        List<byte[]> s = new ArrayList<>();
        TcpOptions all = new TcpOptions(1460, 7, true, 1, 0);
        for (InetAddress[] ab : new InetAddress[][] {{PEER, US}, {PEER6, US6}}) {
            s.add(PacketCodec.encodeTcp(ab[0], ab[1], new TcpSegment(4000, 80, 100, 0, 2, 65535, all, new byte[0])));
            s.add(PacketCodec.encodeTcp(
                    ab[0], ab[1], new TcpSegment(4000, 80, 101, 5, 0x18, 500, TcpOptions.NONE, new byte[40])));
            s.add(PacketCodec.encodeTcp(
                    ab[0], ab[1], new TcpSegment(4000, 80, 141, 5, 0x11, 500, TcpOptions.NONE, new byte[0])));
            s.add(PacketCodec.encodeTcp(
                    ab[0], ab[1], new TcpSegment(4000, 80, 141, 5, 0x04, 0, TcpOptions.NONE, new byte[0])));
            s.add(PacketCodec.encodeUdp(ab[0], ab[1], new UdpDatagram(5353, 53, new byte[12])));
            s.add(PacketCodec.encodeIcmpEcho(ab[0], ab[1], new IcmpEcho(true, 1, 2, new byte[16])));
        }
        return s;
    }

    /** Recomputes the IPv4 header checksum and the transport checksum where the layout still allows it. */
    static void fixChecksums(byte[] p) {
        try {
            int version = (p[0] & 0xff) >>> 4;
            int ihl;
            byte[] src;
            byte[] dst;
            int proto;
            if (version == 4) {
                ihl = (p[0] & 0x0f) * 4;
                if (ihl < 20 || ihl > p.length) {
                    return;
                }
                PacketCodec.put16(p, 10, 0);
                PacketCodec.put16(p, 10, Checksum.finish(Checksum.add(0, p, 0, ihl)));
                src = Arrays.copyOfRange(p, 12, 16);
                dst = Arrays.copyOfRange(p, 16, 20);
                proto = p[9] & 0xff;
            } else if (version == 6 && p.length >= 40) {
                ihl = 40;
                src = Arrays.copyOfRange(p, 8, 24);
                dst = Arrays.copyOfRange(p, 24, 40);
                proto = p[6] & 0xff;
            } else {
                return;
            }
            int len = p.length - ihl;
            int at = switch (proto) {
                case 6 -> 16;
                case 17 -> 6;
                case 1, 58 -> 2;
                default -> -1;
            };
            if (at < 0 || len < at + 2) {
                return;
            }
            PacketCodec.put16(p, ihl + at, 0);
            long sum = proto == 1 ? 0 : Checksum.pseudoHeader(src, dst, proto, len);
            PacketCodec.put16(p, ihl + at, Checksum.finish(Checksum.add(sum, p, ihl, len)));
        } catch (RuntimeException e) {
            // a layout the fixer does not understand: feed the packet as it is
        }
    }

    @Test
    void randomAndMutatedPacketsNeverEscapeOrBreakTheStack() throws Exception {
        ManualTicker clock = new ManualTicker();
        List<byte[]> out = new ArrayList<>();
        NetStack stack = new NetStack(
                NetStackConfig.defaults(List.of(US, US6)).withMaxConnections(64),
                out::add,
                clock,
                new SplittableRandom(3));
        TcpListener listener = stack.listen(80, 16);
        UdpSocket udp = stack.openUdp(53);
        List<byte[]> seeds = seeds();
        SplittableRandom r = new SplittableRandom(12345);
        int n = 300_000;
        for (int i = 0; i < n; i++) {
            byte[] p;
            int kind = r.nextInt(10);
            if (kind == 0) {
                p = new byte[r.nextInt(120)];
                r.nextBytes(p);
            } else {
                byte[] seed = seeds.get(r.nextInt(seeds.size()));
                p = mutate(seed, r);
                if (r.nextBoolean()) {
                    fixChecksums(p);
                }
            }
            int how = r.nextInt(8);
            if (how == 0) {
                stack.input(ByteBuffer.wrap(p));
            } else if (how == 1 && p.length > 0) {
                int off = r.nextInt(p.length);
                stack.input(p, off, p.length - off); // a sub-range
            } else {
                stack.input(p, 0, p.length);
            }
            if (i % 1000 == 0) {
                clock.advance(Duration.ofMillis(r.nextInt(5000)));
                stack.advance();
                out.clear();
                TcpConnection c;
                stack.lock().lock();
                try {
                    while ((c = listener.poll()) != null) {
                        if (r.nextBoolean()) {
                            c.close();
                        }
                    }
                } finally {
                    stack.lock().unlock();
                }
            }
        }
        stack.input(new byte[10], 8, 5); // a range outside the array is a drop too
        NetStackStats st = stack.stats();
        System.out.println("malformed input: " + st);
        assertThat(st.drops(DropReason.INTERNAL)).isZero();
        assertThat(st.packetsIn()).isEqualTo(n + 1);
        // the mutations reached deep: valid segments changed state, some were refused for each reason
        assertThat(st.drops(DropReason.BAD_CHECKSUM)).isPositive();
        assertThat(st.drops(DropReason.TCP_OUT_OF_WINDOW) + st.drops(DropReason.TCP_NO_CONNECTION))
                .isPositive();
        // and it still answers a ping
        out.clear();
        byte[] ping = PacketCodec.encodeIcmpEcho(PEER, US, new IcmpEcho(true, 9, 9, new byte[4]));
        stack.input(ping, 0, ping.length);
        assertThat(out).hasSize(1);
        udp.close();
        listener.close();
        stack.close();
    }

    static byte[] mutate(byte[] seed, SplittableRandom r) {
        byte[] p = seed.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            switch (r.nextInt(6)) {
                case 0 -> p[r.nextInt(p.length)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> p[r.nextInt(p.length)] = (byte) r.nextInt(256);
                case 2 -> p = Arrays.copyOf(p, r.nextInt(p.length + 1));
                case 3 -> p = Arrays.copyOf(p, p.length + r.nextInt(40));
                case 4 -> { // a header field set to an extreme
                    if (p.length > 4) {
                        int at = r.nextInt(p.length - 1);
                        p[at] = (byte) (r.nextBoolean() ? 0xff : 0);
                        p[at + 1] = (byte) (r.nextBoolean() ? 0xff : 0);
                    }
                }
                default -> { // TCP flags byte of an IPv4 or IPv6 segment
                    int at = ((p.length > 0 && (p[0] & 0xf0) == 0x60) ? 40 : 20) + 13;
                    if (at < p.length) {
                        p[at] = (byte) r.nextInt(64);
                    }
                }
            }
            if (p.length == 0) {
                return p;
            }
        }
        return p;
    }
}
