package io.nexodus.nexd.agent;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Minimal IPv4 packets for tests that push traffic through in-memory WireGuard devices. */
final class Ipv4Packets {
    static final int SYN = 0x02;
    static final int ACK = 0x10;
    static final int PSH = 0x08;

    private Ipv4Packets() {}

    /** A TCP segment without payload (checksum left zero: nothing on the way checks it). */
    static byte[] tcp(String src, int sport, String dst, int dport, int flags) throws Exception {
        byte[] l4 = new byte[20];
        l4[0] = (byte) (sport >>> 8);
        l4[1] = (byte) sport;
        l4[2] = (byte) (dport >>> 8);
        l4[3] = (byte) dport;
        l4[12] = 0x50;
        l4[13] = (byte) flags;
        return ip(src, dst, 6, l4);
    }

    /** A UDP datagram between the given ports. */
    static byte[] udp(String src, int sport, String dst, int dport, byte[] payload) throws Exception {
        byte[] l4 = new byte[8 + payload.length];
        l4[0] = (byte) (sport >>> 8);
        l4[1] = (byte) sport;
        l4[2] = (byte) (dport >>> 8);
        l4[3] = (byte) dport;
        l4[4] = (byte) (l4.length >>> 8);
        l4[5] = (byte) l4.length;
        System.arraycopy(payload, 0, l4, 8, payload.length);
        return ip(src, dst, 17, l4);
    }

    static byte[] ip(String src, String dst, int protocol, byte[] l4) throws Exception {
        byte[] s = InetAddress.getByName(src).getAddress();
        byte[] d = InetAddress.getByName(dst).getAddress();
        byte[] p = new byte[20 + l4.length];
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = 64;
        p[9] = (byte) protocol;
        System.arraycopy(s, 0, p, 12, 4);
        System.arraycopy(d, 0, p, 16, 4);
        System.arraycopy(l4, 0, p, 20, l4.length);
        return p;
    }

    /** The destination port of a TCP or UDP packet. */
    static int destinationPort(byte[] packet) {
        int ihl = (packet[0] & 0x0f) * 4;
        return ((packet[ihl + 2] & 0xff) << 8) | (packet[ihl + 3] & 0xff);
    }

    static byte[] udp(String src, String dst, byte[] payload) throws Exception {
        byte[] s = InetAddress.getByName(src).getAddress();
        byte[] d = InetAddress.getByName(dst).getAddress();
        int len = 20 + 8 + payload.length;
        byte[] p = new byte[len];
        p[0] = 0x45;
        p[2] = (byte) (len >>> 8);
        p[3] = (byte) len;
        p[8] = 64;
        p[9] = 17;
        System.arraycopy(s, 0, p, 12, 4);
        System.arraycopy(d, 0, p, 16, 4);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        p[10] = (byte) (~sum >>> 8);
        p[11] = (byte) ~sum;
        p[20] = 0x30;
        p[21] = 0x39;
        p[22] = 0x30;
        p[23] = 0x39;
        p[24] = (byte) ((8 + payload.length) >>> 8);
        p[25] = (byte) (8 + payload.length);
        System.arraycopy(payload, 0, p, 28, payload.length);
        return p;
    }

    static String destination(byte[] packet) throws Exception {
        return InetAddress.getByAddress(Arrays.copyOfRange(packet, 16, 20)).getHostAddress();
    }

    static String payload(byte[] packet) {
        return new String(packet, 28, packet.length - 28, StandardCharsets.UTF_8);
    }
}
