package io.nexodus.nexd.agent;

import java.net.InetAddress;

/** Minimal IPv4/UDP packets for tests that push traffic through in-memory WireGuard devices. */
final class Ipv4Packets {
    private Ipv4Packets() {}

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
        return InetAddress.getByAddress(java.util.Arrays.copyOfRange(packet, 16, 20))
                .getHostAddress();
    }

    static String payload(byte[] packet) {
        return new String(packet, 28, packet.length - 28, java.nio.charset.StandardCharsets.UTF_8);
    }
}
