package io.nexodus.nexd.derpproxy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives every peer its own loopback address {@code 127.x.y.z} (x 1..254, z 1..254, so never {@code 127.0.0.x} and
 * never a broadcast-looking .255): the first choice is derived from SHA-256 of the peer's key, so a peer keeps its
 * address across restarts; a collision moves to the next free address, so addresses are unique per agent. Not
 * thread-safe (the proxy synchronizes).
 */
final class LoopbackAddresses {
    private static final int SPACE = 254 * 256 * 254;
    private final Map<String, Inet4Address> byKey = new HashMap<>();
    private final Map<Inet4Address, String> byAddress = new HashMap<>();

    Inet4Address allocate(String peerKey) {
        Inet4Address have = byKey.get(peerKey);
        if (have != null) {
            return have;
        }
        int slot = firstChoice(peerKey);
        for (int i = 0; i < SPACE; i++) {
            Inet4Address a = address((slot + i) % SPACE);
            if (!byAddress.containsKey(a)) {
                byKey.put(peerKey, a);
                byAddress.put(a, peerKey);
                return a;
            }
        }
        throw new IllegalStateException("loopback addresses exhausted");
    }

    void release(String peerKey) {
        Inet4Address a = byKey.remove(peerKey);
        if (a != null) {
            byAddress.remove(a);
        }
    }

    static int firstChoice(String peerKey) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(peerKey.getBytes(StandardCharsets.US_ASCII));
            int v = ((h[0] & 0xff) << 16) | ((h[1] & 0xff) << 8) | (h[2] & 0xff);
            return Math.floorMod(v, SPACE);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Inet4Address address(int slot) {
        int z = slot % 254 + 1;
        int y = (slot / 254) % 256;
        int x = slot / (254 * 256) + 1;
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {127, (byte) x, (byte) y, (byte) z});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
