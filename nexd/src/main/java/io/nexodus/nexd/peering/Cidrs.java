package io.nexodus.nexd.peering;

import io.nexodus.nexd.endpoint.Addresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/** CIDR text as WireGuard and {@code ip} want it: numeric, with a prefix length, host bits cleared. */
public final class Cidrs {
    private Cidrs() {}

    /** {@code 100.64.0.5} → {@code 100.64.0.5/32}; {@code 10.1.2.3/8} → {@code 10.0.0.0/8}; garbage → empty. */
    public static Optional<String> normalize(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String s = text.strip();
        String ipPart = s;
        Integer bits = null;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            ipPart = s.substring(0, slash);
            try {
                bits = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        Optional<InetAddress> ip = Addresses.parseIp(ipPart);
        if (ip.isEmpty()) {
            return Optional.empty();
        }
        int max = ip.get() instanceof Inet4Address ? 32 : 128;
        int b = bits == null ? max : bits;
        if (b < 0 || b > max) {
            return Optional.empty();
        }
        byte[] bytes = ip.get().getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, b - 8 * i));
            bytes[i] &= (byte) (keep == 0 ? 0 : (0xff << (8 - keep)));
        }
        try {
            String host = InetAddress.getByAddress(bytes).getHostAddress();
            if (max == 128) {
                host = compressV6(host);
            }
            return Optional.of(host + "/" + b);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public static boolean isDefaultRoute(String cidr) {
        return cidr.equals("0.0.0.0/0") || cidr.equals("::/0");
    }

    public static boolean isV4(String cidr) {
        return !cidr.contains(":");
    }

    /**
     * Whether two normalized CIDRs share an address (one contains the other); different families never overlap. Text
     * that is not a CIDR overlaps nothing.
     */
    public static boolean overlaps(String a, String b) {
        Optional<byte[]> na = network(a);
        Optional<byte[]> nb = network(b);
        if (na.isEmpty() || nb.isEmpty() || na.get().length != nb.get().length) {
            return false;
        }
        int bits = Math.min(prefixLength(a), prefixLength(b));
        return samePrefix(na.get(), nb.get(), bits);
    }

    /** Whether {@code ip} lies in the CIDR {@code cidr}. */
    public static boolean contains(String cidr, InetAddress ip) {
        Optional<byte[]> n = network(cidr);
        byte[] a = ip.getAddress();
        return n.isPresent() && n.get().length == a.length && samePrefix(n.get(), a, prefixLength(cidr));
    }

    private static Optional<byte[]> network(String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        return Addresses.parseIp(cidr.substring(0, slash)).map(InetAddress::getAddress);
    }

    private static int prefixLength(String cidr) {
        return Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
    }

    private static boolean samePrefix(byte[] a, byte[] b, int bits) {
        for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if (((a[i] ^ b[i]) & mask) != 0) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5952 form of an IPv6 address (the JDK prints full groups with zeros). */
    static String compressV6(String full) {
        String[] g = full.split(":");
        if (g.length != 8) {
            return full;
        }
        for (int i = 0; i < 8; i++) {
            g[i] = g[i].replaceFirst("^0+(?=.)", "");
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (!g[i].equals("0")) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestStart < 0) {
            return String.join(":", g);
        }
        String head = String.join(":", Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(g, bestStart + bestLen, 8));
        return head + "::" + tail;
    }
}
