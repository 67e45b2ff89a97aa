package io.nexodus.packetfilter;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** Builds IPv4/IPv6 packets for tests (headers only as far as the filter reads them; checksums are zero). */
final class Packets {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    private Packets() {}

    static byte[] tcp(String src, int sport, String dst, int dport, int flags) {
        byte[] l4 = new byte[20];
        put16(l4, 0, sport);
        put16(l4, 2, dport);
        l4[12] = 0x50;
        l4[13] = (byte) flags;
        return ip(src, dst, Protocol.IP_TCP, l4);
    }

    static byte[] udp(String src, int sport, String dst, int dport) {
        byte[] l4 = new byte[12];
        put16(l4, 0, sport);
        put16(l4, 2, dport);
        put16(l4, 4, l4.length);
        return ip(src, dst, Protocol.IP_UDP, l4);
    }

    /** An ICMP (IPv4) or ICMPv6 message of {@code type} with the given identifier field. */
    static byte[] icmp(String src, String dst, int type, int id) {
        byte[] l4 = new byte[16];
        l4[0] = (byte) type;
        put16(l4, 4, id);
        put16(l4, 6, 1);
        boolean v6 = src.contains(":");
        return ip(src, dst, v6 ? Protocol.IP_ICMPV6 : Protocol.IP_ICMP, l4);
    }

    static byte[] echoRequest(String src, String dst, int id) {
        return icmp(src, dst, src.contains(":") ? 128 : 8, id);
    }

    static byte[] echoReply(String src, String dst, int id) {
        return icmp(src, dst, src.contains(":") ? 129 : 0, id);
    }

    /** An ICMP error (v4: type 3 code 3 port unreachable; v6: type 1 code 4) quoting {@code quoted}. */
    static byte[] icmpError(String src, String dst, byte[] quoted) {
        boolean v6 = src.contains(":");
        int keep = Math.min(quoted.length, v6 ? 1232 : 28 + 20);
        byte[] l4 = new byte[8 + keep];
        l4[0] = (byte) (v6 ? 1 : 3);
        l4[1] = (byte) (v6 ? 4 : 3);
        System.arraycopy(quoted, 0, l4, 8, keep);
        return ip(src, dst, v6 ? Protocol.IP_ICMPV6 : Protocol.IP_ICMP, l4);
    }

    static byte[] ip(String src, String dst, int protocol, byte[] l4) {
        Address s = Address.parse(src);
        Address d = Address.parse(dst);
        if (!s.v6()) {
            byte[] p = new byte[20 + l4.length];
            p[0] = 0x45;
            put16(p, 2, p.length);
            p[8] = 64;
            p[9] = (byte) protocol;
            put32(p, 12, s.lo());
            put32(p, 16, d.lo());
            System.arraycopy(l4, 0, p, 20, l4.length);
            return p;
        }
        return ipv6(s, d, protocol, new byte[0], l4);
    }

    /** IPv6 with extension headers {@code ext} (already chained; its first header type is {@code firstNext}). */
    static byte[] ipv6(Address s, Address d, int next, byte[] ext, byte[] l4) {
        byte[] p = new byte[40 + ext.length + l4.length];
        p[0] = 0x60;
        put16(p, 4, ext.length + l4.length);
        p[6] = (byte) next;
        p[7] = 64;
        put64(p, 8, s.hi());
        put64(p, 16, s.lo());
        put64(p, 24, d.hi());
        put64(p, 32, d.lo());
        System.arraycopy(ext, 0, p, 40, ext.length);
        System.arraycopy(l4, 0, p, 40 + ext.length, l4.length);
        return p;
    }

    /** An IPv6 TCP packet behind {@code count} hop-by-hop/destination-options headers (8 bytes each). */
    static byte[] tcpV6WithOptions(String src, int sport, String dst, int dport, int flags, int count) {
        byte[] tcp = tcp("10.0.0.1", sport, "10.0.0.2", dport, flags);
        byte[] l4 = Arrays.copyOfRange(tcp, 20, tcp.length);
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            byte[] h = new byte[8];
            h[0] = (byte) (i == count - 1 ? Protocol.IP_TCP : 60);
            ext.writeBytes(h);
        }
        return ipv6(Address.parse(src), Address.parse(dst), count == 0 ? Protocol.IP_TCP : 0, ext.toByteArray(), l4);
    }

    /** The same IPv4 packet marked as a fragment at {@code offset8} (units of 8 bytes), more-fragments set. */
    static byte[] v4Fragment(byte[] packet, int offset8) {
        byte[] p = packet.clone();
        put16(p, 6, 0x2000 | offset8);
        return p;
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void put32(byte[] b, int i, long v) {
        for (int k = 0; k < 4; k++) {
            b[i + k] = (byte) (v >>> (24 - 8 * k));
        }
    }

    static void put64(byte[] b, int i, long v) {
        for (int k = 0; k < 8; k++) {
            b[i + k] = (byte) (v >>> (56 - 8 * k));
        }
    }
}
