package io.nexodus.wireguard.device;

import io.nexodus.wireguard.bind.UdpEndpoint;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IP prefix such as {@code 10.0.0.0/24} or {@code fd00::/64}. Host bits are cleared on construction, as WireGuard
 * stores and reports allowed IPs ({@code 10.0.0.5/24} becomes {@code 10.0.0.0/24}).
 */
public record IpPrefix(InetAddress address, int bits) implements Comparable<IpPrefix> {
    public IpPrefix {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (bits < 0 || bits > max) {
            throw new IllegalArgumentException("prefix length " + bits + " outside 0.." + max);
        }
        address = mask(address, bits);
    }

    /** Parses {@code a.b.c.d/n}, {@code v6/n}, or a bare address (a host prefix /32 or /128). Numeric only. */
    public static IpPrefix parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        InetAddress ip = UdpEndpoint.parseNumericAddress(slash < 0 ? s : s.substring(0, slash));
        int max = ip instanceof Inet4Address ? 32 : 128;
        int bits = max;
        if (slash >= 0) {
            String b = s.substring(slash + 1);
            if (b.isEmpty() || b.length() > 3 || !b.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            bits = Integer.parseInt(b);
        }
        return new IpPrefix(ip, bits);
    }

    public boolean isV4() {
        return address instanceof Inet4Address;
    }

    public boolean contains(InetAddress ip) {
        if ((ip instanceof Inet4Address) != isV4()) {
            return false;
        }
        return mask(ip, bits).equals(address);
    }

    static InetAddress mask(InetAddress a, int bits) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            b[i] &= (byte) (0xff00 >>> keep);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int compareTo(IpPrefix o) {
        if (isV4() != o.isV4()) {
            return isV4() ? -1 : 1;
        }
        int c = Arrays.compareUnsigned(address.getAddress(), o.address.getAddress());
        return c != 0 ? c : Integer.compare(bits, o.bits);
    }

    @Override
    public String toString() {
        return UdpEndpoint.formatAddress(address) + "/" + bits;
    }
}
