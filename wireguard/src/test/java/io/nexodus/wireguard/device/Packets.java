package io.nexodus.wireguard.device;

import io.nexodus.wireguard.bind.UdpEndpoint;
import java.net.Inet4Address;
import java.net.InetAddress;

/** Minimal IPv4/IPv6 packets for tests (headers with correct lengths; checksums are not checked by the device). */
final class Packets {
    private Packets() {}

    static byte[] ip(String src, String dst, byte[] payload) {
        InetAddress s = UdpEndpoint.parseNumericAddress(src);
        InetAddress d = UdpEndpoint.parseNumericAddress(dst);
        if (s instanceof Inet4Address) {
            byte[] p = new byte[20 + payload.length];
            p[0] = 0x45;
            p[2] = (byte) (p.length >>> 8);
            p[3] = (byte) p.length;
            p[8] = 64;
            p[9] = 17;
            System.arraycopy(s.getAddress(), 0, p, 12, 4);
            System.arraycopy(d.getAddress(), 0, p, 16, 4);
            System.arraycopy(payload, 0, p, 20, payload.length);
            return p;
        }
        byte[] p = new byte[40 + payload.length];
        p[0] = 0x60;
        p[4] = (byte) (payload.length >>> 8);
        p[5] = (byte) payload.length;
        p[6] = 17;
        p[7] = 64;
        System.arraycopy(s.getAddress(), 0, p, 8, 16);
        System.arraycopy(d.getAddress(), 0, p, 24, 16);
        System.arraycopy(payload, 0, p, 40, payload.length);
        return p;
    }

    static byte[] ip(String src, String dst, int payloadLength) {
        byte[] payload = new byte[payloadLength];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7 + 3);
        }
        return ip(src, dst, payload);
    }
}
