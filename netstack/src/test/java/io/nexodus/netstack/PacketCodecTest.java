package io.nexodus.netstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PacketCodecTest {
    static final InetAddress A4 = addr("10.0.0.1");
    static final InetAddress B4 = addr("10.0.0.2");
    static final InetAddress A6 = addr("fd00::1");
    static final InetAddress B6 = addr("fd00::2");

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void checksumMatchesRfc1071Example() {
        byte[] b = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertThat(Checksum.finish(Checksum.add(0, b, 0, b.length))).isEqualTo(0x220d);
    }

    @Test
    void parsesAPacketCapturedFromLinux() throws Malformed {
        // SYN from 10.0.0.2:43210 to 10.0.0.1:80 with MSS 1460, SACK-permitted, timestamps, NOP, window scale 7
        byte[] p = HexFormat.of()
                .parseHex("4500003c1c4640004006"
                        + "0a6c" // header checksum
                        + "0a0000020a000001"
                        + "a8ca0050" + "3ade68b100000000" + "a002faf0" + "0000" + "0000"
                        + "020405b40402080a" + "0016a5ff00000000" + "01030307");
        // fix the header and TCP checksums to what they must be, then check the parser agrees
        PacketCodec.put16(p, 10, 0);
        PacketCodec.put16(p, 10, Checksum.finish(Checksum.add(0, p, 0, 20)));
        long sum = Checksum.pseudoHeader(B4.getAddress(), A4.getAddress(), 6, 40);
        PacketCodec.put16(p, 36, Checksum.finish(Checksum.add(sum, p, 20, 40)));
        IpPacket ip = PacketCodec.parseIp(p, 0, p.length);
        assertThat(ip.src()).isEqualTo(B4);
        assertThat(ip.dst()).isEqualTo(A4);
        TcpSegment s = PacketCodec.parseTcp(ip);
        assertThat(s.srcPort()).isEqualTo(43210);
        assertThat(s.dstPort()).isEqualTo(80);
        assertThat(s.has(TcpSegment.SYN)).isTrue();
        assertThat(s.window()).isEqualTo(64240);
        assertThat(s.options()).isEqualTo(new TcpOptions(1460, 7, true, 0x16a5ff, 0));
    }

    @Test
    void tcpRoundTripsOverBothFamilies() throws Malformed {
        for (InetAddress[] ab : new InetAddress[][] {{A4, B4}, {A6, B6}}) {
            TcpSegment s = new TcpSegment(
                    1234,
                    80,
                    0xfffffff0,
                    42,
                    TcpSegment.SYN | TcpSegment.ACK,
                    65535,
                    new TcpOptions(1400, 7, true, 5, 6),
                    new byte[] {1, 2, 3});
            byte[] p = PacketCodec.encodeTcp(ab[0], ab[1], s);
            IpPacket ip = PacketCodec.parseIp(p, 0, p.length);
            assertThat(ip.protocol()).isEqualTo(IpPacket.TCP);
            TcpSegment back = PacketCodec.parseTcp(ip);
            assertThat(back.toString()).isEqualTo(s.toString());
            assertThat(back.options()).isEqualTo(s.options());
            assertThat(back.payload()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void udpAndIcmpRoundTrip() throws Malformed {
        for (InetAddress[] ab : new InetAddress[][] {{A4, B4}, {A6, B6}}) {
            byte[] u = PacketCodec.encodeUdp(ab[0], ab[1], new UdpDatagram(53, 5353, new byte[] {9, 8, 7}));
            UdpDatagram d = PacketCodec.parseUdp(PacketCodec.parseIp(u, 0, u.length));
            assertThat(d.srcPort()).isEqualTo(53);
            assertThat(d.payload()).containsExactly(9, 8, 7);

            byte[] i = PacketCodec.encodeIcmpEcho(ab[0], ab[1], new IcmpEcho(true, 7, 9, new byte[] {1}));
            IpPacket ip = PacketCodec.parseIp(i, 0, i.length);
            IcmpEcho e = PacketCodec.parseIcmpEcho(ip);
            assertThat(e.request()).isTrue();
            assertThat(e.identifier()).isEqualTo(7);
            assertThat(e.sequence()).isEqualTo(9);
        }
    }

    @Test
    void ipv6ExtensionHeadersAreSkippedAndFragmentsRefused() throws Malformed {
        byte[] u = PacketCodec.encodeUdp(A6, B6, new UdpDatagram(1, 2, new byte[] {5}));
        // insert an 8-byte destination-options header (next header 60) in front of UDP
        byte[] p = new byte[u.length + 8];
        System.arraycopy(u, 0, p, 0, 40);
        p[6] = 60;
        PacketCodec.put16(p, 4, u.length - 40 + 8);
        p[40] = 17; // next: UDP
        p[42] = 1; // PadN filling the rest
        p[43] = 4;
        System.arraycopy(u, 40, p, 48, u.length - 40);
        IpPacket ip = PacketCodec.parseIp(p, 0, p.length);
        assertThat(ip.protocol()).isEqualTo(IpPacket.UDP);
        assertThat(PacketCodec.parseUdp(ip).payload()).containsExactly(5);

        p[40] = 44;
        byte[] frag = p.clone();
        frag[6] = 44;
        assertThatThrownBy(() -> PacketCodec.parseIp(frag, 0, frag.length))
                .isInstanceOfSatisfying(
                        Malformed.class, m -> assertThat(m.reason()).isEqualTo(DropReason.FRAGMENT));
    }

    @Test
    void badInputIsNamed() {
        byte[] u = PacketCodec.encodeUdp(A4, B4, new UdpDatagram(1, 2, new byte[] {5}));
        assertReason(new byte[0], DropReason.TRUNCATED);
        assertReason(new byte[] {0x15}, DropReason.BAD_VERSION);
        byte[] badHeader = u.clone();
        badHeader[8]++;
        assertReason(badHeader, DropReason.BAD_IP_CHECKSUM);
        byte[] frag = u.clone();
        frag[6] = 0x20; // MF
        PacketCodec.put16(frag, 10, 0);
        PacketCodec.put16(frag, 10, Checksum.finish(Checksum.add(0, frag, 0, 20)));
        assertReason(frag, DropReason.FRAGMENT);
        byte[] badSum = u.clone();
        badSum[badSum.length - 1]++;
        assertThatThrownBy(() -> PacketCodec.parseUdp(PacketCodec.parseIp(badSum, 0, badSum.length)))
                .isInstanceOfSatisfying(
                        Malformed.class, m -> assertThat(m.reason()).isEqualTo(DropReason.BAD_CHECKSUM));
        assertThatThrownBy(() -> PacketCodec.parseTcpOptions(new byte[] {2, 4, 5}, 0, 3))
                .isInstanceOf(Malformed.class);
        assertThatThrownBy(() -> PacketCodec.parseTcpOptions(new byte[] {3, 4, 5, 6}, 0, 4))
                .isInstanceOf(Malformed.class);
    }

    private static void assertReason(byte[] p, DropReason reason) {
        assertThatThrownBy(() -> PacketCodec.parseIp(p, 0, p.length))
                .isInstanceOfSatisfying(
                        Malformed.class, m -> assertThat(m.reason()).isEqualTo(reason));
    }
}
