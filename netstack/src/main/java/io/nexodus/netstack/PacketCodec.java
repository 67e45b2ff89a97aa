package io.nexodus.netstack;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Parses and builds IPv4 (RFC 791), IPv6 (RFC 8200), TCP (RFC 9293), UDP (RFC 768) and ICMP/ICMPv6 echo (RFC 792,
 * RFC 4443). Parsers take untrusted bytes: every length is checked against the buffer before it is used, and the only
 * way out other than a result is {@link Malformed}, which names the counter the packet is dropped under.
 * <p>
 * Packets the stack sends carry no IPv4 options and no IPv6 extension headers; IPv4 packets have DF set (no
 * fragmentation, path MTU discovery by the peer) and TTL/hop limit {@value #TTL}.
 */
final class PacketCodec {
    static final int TTL = 64;
    static final int IPV4_HEADER = 20;
    static final int IPV6_HEADER = 40;
    static final int TCP_HEADER = 20;
    static final int UDP_HEADER = 8;
    private static final int MAX_EXTENSION_HEADERS = 8;

    private PacketCodec() {}

    // ---- parsing ----

    /** Parses the IP header of {@code b[off, off+len)}; the payload is trimmed to the length the header announces. */
    static IpPacket parseIp(byte[] b, int off, int len) throws Malformed {
        if (len < 1 || off < 0 || off + len > b.length) {
            throw new Malformed(DropReason.TRUNCATED);
        }
        int version = (b[off] & 0xff) >>> 4;
        if (version == 4) {
            return parseIpv4(b, off, len);
        }
        if (version == 6) {
            return parseIpv6(b, off, len);
        }
        throw new Malformed(DropReason.BAD_VERSION);
    }

    private static IpPacket parseIpv4(byte[] b, int off, int len) throws Malformed {
        if (len < IPV4_HEADER) {
            throw new Malformed(DropReason.TRUNCATED);
        }
        int ihl = (b[off] & 0x0f) * 4;
        int total = u16(b, off + 2);
        if (ihl < IPV4_HEADER || total < ihl) {
            throw new Malformed(DropReason.BAD_IP_HEADER);
        }
        if (total > len) {
            throw new Malformed(DropReason.TRUNCATED);
        }
        if (Checksum.finish(Checksum.add(0, b, off, ihl)) != 0) {
            throw new Malformed(DropReason.BAD_IP_CHECKSUM);
        }
        int fragment = u16(b, off + 6);
        if ((fragment & 0x2000) != 0 || (fragment & 0x1fff) != 0) {
            throw new Malformed(DropReason.FRAGMENT);
        }
        InetAddress src = address(b, off + 12, 4);
        InetAddress dst = address(b, off + 16, 4);
        return new IpPacket(4, src, dst, b[off + 9] & 0xff, b[off + 8] & 0xff, b, off + ihl, total - ihl);
    }

    private static IpPacket parseIpv6(byte[] b, int off, int len) throws Malformed {
        if (len < IPV6_HEADER) {
            throw new Malformed(DropReason.TRUNCATED);
        }
        int payload = u16(b, off + 4);
        if (IPV6_HEADER + payload > len) {
            throw new Malformed(DropReason.TRUNCATED);
        }
        int next = b[off + 6] & 0xff;
        int pos = off + IPV6_HEADER;
        int end = pos + payload;
        for (int i = 0; ; i++) {
            if (next == 44) {
                throw new Malformed(DropReason.FRAGMENT);
            }
            if (next != 0 && next != 43 && next != 60) {
                break;
            }
            if (i == MAX_EXTENSION_HEADERS || pos + 8 > end) {
                throw new Malformed(DropReason.BAD_IP_HEADER);
            }
            int extLen = ((b[pos + 1] & 0xff) + 1) * 8;
            if (pos + extLen > end) {
                throw new Malformed(DropReason.BAD_IP_HEADER);
            }
            next = b[pos] & 0xff;
            pos += extLen;
        }
        InetAddress src = address(b, off + 8, 16);
        InetAddress dst = address(b, off + 24, 16);
        return new IpPacket(6, src, dst, next, b[off + 7] & 0xff, b, pos, end - pos);
    }

    static TcpSegment parseTcp(IpPacket p) throws Malformed {
        byte[] b = p.buf();
        int o = p.payloadOffset();
        int len = p.payloadLength();
        if (len < TCP_HEADER) {
            throw new Malformed(DropReason.TRUNCATED);
        }
        int dataOffset = ((b[o + 12] & 0xff) >>> 4) * 4;
        if (dataOffset < TCP_HEADER || dataOffset > len) {
            throw new Malformed(DropReason.BAD_TRANSPORT_HEADER);
        }
        if (Checksum.finish(Checksum.add(pseudo(p, len), b, o, len)) != 0) {
            throw new Malformed(DropReason.BAD_CHECKSUM);
        }
        TcpOptions options = parseTcpOptions(b, o + TCP_HEADER, dataOffset - TCP_HEADER);
        return new TcpSegment(
                u16(b, o),
                u16(b, o + 2),
                s32(b, o + 4),
                s32(b, o + 8),
                b[o + 13] & 0x3f,
                u16(b, o + 14),
                options,
                Arrays.copyOfRange(b, o + dataOffset, o + len));
    }

    static TcpOptions parseTcpOptions(byte[] b, int off, int len) throws Malformed {
        int mss = -1;
        int scale = -1;
        boolean sack = false;
        long tsVal = -1;
        long tsEcr = -1;
        int end = off + len;
        int i = off;
        while (i < end) {
            int kind = b[i] & 0xff;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                throw new Malformed(DropReason.BAD_TCP_OPTIONS);
            }
            int optLen = b[i + 1] & 0xff;
            if (optLen < 2 || i + optLen > end) {
                throw new Malformed(DropReason.BAD_TCP_OPTIONS);
            }
            switch (kind) {
                case 2 -> {
                    requireLength(optLen, 4);
                    mss = u16(b, i + 2);
                }
                case 3 -> {
                    requireLength(optLen, 3);
                    scale = Math.min(b[i + 2] & 0xff, TcpOptions.MAX_WINDOW_SCALE);
                }
                case 4 -> {
                    requireLength(optLen, 2);
                    sack = true;
                }
                case 8 -> {
                    requireLength(optLen, 10);
                    tsVal = s32(b, i + 2) & 0xffffffffL;
                    tsEcr = s32(b, i + 6) & 0xffffffffL;
                }
                default -> {} // SACK blocks and others: skipped by their length
            }
            i += optLen;
        }
        return new TcpOptions(mss, scale, sack, tsVal, tsEcr);
    }

    private static void requireLength(int actual, int expected) throws Malformed {
        if (actual != expected) {
            throw new Malformed(DropReason.BAD_TCP_OPTIONS);
        }
    }

    static UdpDatagram parseUdp(IpPacket p) throws Malformed {
        byte[] b = p.buf();
        int o = p.payloadOffset();
        if (p.payloadLength() < UDP_HEADER) {
            throw new Malformed(DropReason.TRUNCATED);
        }
        int udpLen = u16(b, o + 4);
        if (udpLen < UDP_HEADER || udpLen > p.payloadLength()) {
            throw new Malformed(DropReason.BAD_TRANSPORT_HEADER);
        }
        int checksum = u16(b, o + 6);
        if (checksum == 0 ? p.version() == 6 : Checksum.finish(Checksum.add(pseudo(p, udpLen), b, o, udpLen)) != 0) {
            throw new Malformed(DropReason.BAD_CHECKSUM);
        }
        return new UdpDatagram(u16(b, o), u16(b, o + 2), Arrays.copyOfRange(b, o + UDP_HEADER, o + udpLen));
    }

    /** Parses an echo request or reply; other ICMP messages are {@link DropReason#ICMP_UNHANDLED}. */
    static IcmpEcho parseIcmpEcho(IpPacket p) throws Malformed {
        byte[] b = p.buf();
        int o = p.payloadOffset();
        int len = p.payloadLength();
        if (len < 8) {
            throw new Malformed(DropReason.TRUNCATED);
        }
        boolean v6 = p.version() == 6;
        long sum = v6 ? pseudo(p, len) : 0;
        if (Checksum.finish(Checksum.add(sum, b, o, len)) != 0) {
            throw new Malformed(DropReason.BAD_CHECKSUM);
        }
        int type = b[o] & 0xff;
        int request = v6 ? 128 : 8;
        int reply = v6 ? 129 : 0;
        if ((type != request && type != reply) || b[o + 1] != 0) {
            throw new Malformed(DropReason.ICMP_UNHANDLED);
        }
        return new IcmpEcho(type == request, u16(b, o + 4), u16(b, o + 6), Arrays.copyOfRange(b, o + 8, o + len));
    }

    private static long pseudo(IpPacket p, int length) {
        return Checksum.pseudoHeader(p.src().getAddress(), p.dst().getAddress(), p.protocol(), length);
    }

    private static InetAddress address(byte[] b, int off, int len) {
        byte[] a = Arrays.copyOfRange(b, off, off + len);
        try {
            // Inet6Address keeps an IPv4-mapped address as 16 bytes (InetAddress.getByAddress would make it IPv4)
            return len == 4 ? InetAddress.getByAddress(a) : Inet6Address.getByAddress(null, a, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("length is 4 or 16", e);
        }
    }

    // ---- building ----

    static byte[] encodeTcp(InetAddress src, InetAddress dst, TcpSegment s) {
        TcpOptions opts = s.options();
        int hdr = TCP_HEADER + opts.encodedLength();
        int tlen = hdr + s.payload().length;
        byte[] b = ipHeader(src, dst, IpPacket.TCP, tlen);
        int o = b.length - tlen;
        put16(b, o, s.srcPort());
        put16(b, o + 2, s.dstPort());
        put32(b, o + 4, s.seq());
        put32(b, o + 8, s.ack());
        b[o + 12] = (byte) ((hdr / 4) << 4);
        b[o + 13] = (byte) s.flags();
        put16(b, o + 14, s.window());
        int i = o + TCP_HEADER;
        if (opts.mss() >= 0) {
            b[i] = 2;
            b[i + 1] = 4;
            put16(b, i + 2, opts.mss());
            i += 4;
        }
        if (opts.windowScale() >= 0) {
            b[i] = 1;
            b[i + 1] = 3;
            b[i + 2] = 3;
            b[i + 3] = (byte) opts.windowScale();
            i += 4;
        }
        if (opts.sackPermitted()) {
            b[i] = 1;
            b[i + 1] = 1;
            b[i + 2] = 4;
            b[i + 3] = 2;
            i += 4;
        }
        if (opts.hasTimestamps()) {
            b[i] = 1;
            b[i + 1] = 1;
            b[i + 2] = 8;
            b[i + 3] = 10;
            put32(b, i + 4, (int) opts.tsVal());
            put32(b, i + 8, (int) opts.tsEcr());
            i += 12;
        }
        System.arraycopy(s.payload(), 0, b, i, s.payload().length);
        long sum = Checksum.pseudoHeader(src.getAddress(), dst.getAddress(), IpPacket.TCP, tlen);
        put16(b, o + 16, Checksum.finish(Checksum.add(sum, b, o, tlen)));
        return b;
    }

    static byte[] encodeUdp(InetAddress src, InetAddress dst, UdpDatagram d) {
        int ulen = UDP_HEADER + d.payload().length;
        byte[] b = ipHeader(src, dst, IpPacket.UDP, ulen);
        int o = b.length - ulen;
        put16(b, o, d.srcPort());
        put16(b, o + 2, d.dstPort());
        put16(b, o + 4, ulen);
        System.arraycopy(d.payload(), 0, b, o + UDP_HEADER, d.payload().length);
        long sum = Checksum.pseudoHeader(src.getAddress(), dst.getAddress(), IpPacket.UDP, ulen);
        int c = Checksum.finish(Checksum.add(sum, b, o, ulen));
        put16(b, o + 6, c == 0 ? 0xffff : c); // 0 means "no checksum" (RFC 768)
        return b;
    }

    static byte[] encodeIcmpEcho(InetAddress src, InetAddress dst, IcmpEcho e) {
        boolean v6 = src instanceof Inet6Address;
        int proto = v6 ? IpPacket.ICMPV6 : IpPacket.ICMP;
        int ilen = 8 + e.data().length;
        byte[] b = ipHeader(src, dst, proto, ilen);
        int o = b.length - ilen;
        b[o] = (byte) (v6 ? (e.request() ? 128 : 129) : (e.request() ? 8 : 0));
        put16(b, o + 4, e.identifier());
        put16(b, o + 6, e.sequence());
        System.arraycopy(e.data(), 0, b, o + 8, e.data().length);
        long sum = v6 ? Checksum.pseudoHeader(src.getAddress(), dst.getAddress(), proto, ilen) : 0;
        put16(b, o + 2, Checksum.finish(Checksum.add(sum, b, o, ilen)));
        return b;
    }

    /** A packet buffer with the IP header written and room for {@code transportLength} bytes after it. */
    private static byte[] ipHeader(InetAddress src, InetAddress dst, int protocol, int transportLength) {
        if (src instanceof Inet4Address) {
            byte[] b = new byte[IPV4_HEADER + transportLength];
            b[0] = 0x45;
            put16(b, 2, b.length);
            b[6] = 0x40; // DF
            b[8] = TTL;
            b[9] = (byte) protocol;
            System.arraycopy(src.getAddress(), 0, b, 12, 4);
            System.arraycopy(dst.getAddress(), 0, b, 16, 4);
            put16(b, 10, Checksum.finish(Checksum.add(0, b, 0, IPV4_HEADER)));
            return b;
        }
        byte[] b = new byte[IPV6_HEADER + transportLength];
        b[0] = 0x60;
        put16(b, 4, transportLength);
        b[6] = (byte) protocol;
        b[7] = TTL;
        System.arraycopy(src.getAddress(), 0, b, 8, 16);
        System.arraycopy(dst.getAddress(), 0, b, 24, 16);
        return b;
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    static int s32(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void put32(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
