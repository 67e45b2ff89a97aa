package io.nexodus.server.ipam;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix in canonical form (host bits zero). Parsing accepts only numeric addresses (never DNS).
 */
public record Cidr(BigInteger network, int prefixLength, boolean v6) {

    public int bits() {
        return v6 ? 128 : 32;
    }

    /** Parses {@code a.b.c.d/n} or {@code x::y/n}; host bits are cleared. Throws IllegalArgumentException. */
    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing CIDR");
        }
        String s = text.strip();
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR (missing /prefix): " + text);
        }
        InetAddress a = parseAddress(s.substring(0, slash));
        int len;
        try {
            len = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid prefix length in " + text);
        }
        boolean v6 = a instanceof Inet6Address;
        int bits = v6 ? 128 : 32;
        if (len < 0 || len > bits) {
            throw new IllegalArgumentException("invalid prefix length in " + text);
        }
        BigInteger n = new BigInteger(1, a.getAddress());
        return new Cidr(n.and(mask(bits, len)), len, v6);
    }

    /** A single address as a /32 or /128. */
    public static Cidr host(String address) {
        InetAddress a = parseAddress(address);
        boolean v6 = a instanceof Inet6Address;
        return new Cidr(new BigInteger(1, a.getAddress()), v6 ? 128 : 32, v6);
    }

    /** Parses a numeric IPv4/IPv6 address literal without any name lookup. */
    public static InetAddress parseAddress(String s) {
        String t = s.strip();
        boolean looksV4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean looksV6 = t.contains(":") && t.matches("[0-9a-fA-F:.]+");
        if (!looksV4 && !looksV6) {
            throw new IllegalArgumentException("not an IP address: " + s);
        }
        if (looksV4) {
            for (String part : t.split("\\.", -1)) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("not an IP address: " + s);
                }
            }
        }
        try {
            InetAddress a = InetAddress.getByName(t); // a literal: no DNS lookup happens
            if (looksV4 != (a instanceof Inet4Address)) {
                throw new IllegalArgumentException("not an IP address: " + s);
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + s);
        }
    }

    static BigInteger mask(int bits, int len) {
        return BigInteger.ONE
                .shiftLeft(bits)
                .subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - len).subtract(BigInteger.ONE));
    }

    /** Number of addresses in the prefix. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(bits() - prefixLength);
    }

    public BigInteger last() {
        return network.add(size()).subtract(BigInteger.ONE);
    }

    public boolean contains(BigInteger address) {
        return address.compareTo(network) >= 0 && address.compareTo(last()) <= 0;
    }

    public boolean contains(Cidr other) {
        return v6 == other.v6 && other.prefixLength >= prefixLength && contains(other.network);
    }

    public boolean overlaps(Cidr other) {
        return v6 == other.v6 && (contains(other.network) || other.contains(network));
    }

    public boolean isDefaultRoute() {
        return prefixLength == 0;
    }

    /** The address at {@code offset} from the network address, as text. */
    public String addressAt(BigInteger offset) {
        return format(network.add(offset), v6);
    }

    public static String format(BigInteger value, boolean v6) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[v6 ? 16 : 4];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            String s = InetAddress.getByAddress(out).getHostAddress();
            return v6 ? compress(s) : s;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 5952 text for IPv6 (the JDK prints every group). */
    static String compress(String full) {
        String[] g = full.split(":");
        for (int i = 0; i < g.length; i++) {
            g[i] = g[i].replaceFirst("^0+(?!$)", "");
        }
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < g.length; ) {
            if (g[i].equals("0")) {
                int j = i;
                while (j < g.length && g[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return String.join(":", g);
        }
        String head = String.join(":", Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return head + "::" + tail;
    }

    /** Offset of {@code address} within this prefix, or -1 if outside. */
    public BigInteger offsetOf(String address) {
        Cidr h = host(address);
        if (h.v6 != v6 || !contains(h.network)) {
            return BigInteger.ONE.negate();
        }
        return h.network.subtract(network);
    }

    @Override
    public String toString() {
        return format(network, v6) + "/" + prefixLength;
    }
}
