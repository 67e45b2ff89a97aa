package io.nexodus.stun;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Small helpers for transport addresses on the wire. */
final class Addresses {
    private Addresses() {}

    static void requireResolved(InetSocketAddress address) {
        if (address == null || address.isUnresolved()) {
            throw new IllegalArgumentException("a STUN address must be a resolved IP address and port: " + address);
        }
    }

    /**
     * Builds an address from 4 or 16 raw bytes without the JDK's habit of turning an IPv4-mapped IPv6 address into
     * an IPv4 one, so the family on the wire survives a decode/encode round trip.
     */
    static InetAddress fromBytes(byte[] raw) {
        try {
            return raw.length == 16 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new AssertionError("length checked by caller: " + raw.length, e);
        }
    }
}
