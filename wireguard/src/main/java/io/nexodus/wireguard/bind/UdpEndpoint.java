package io.nexodus.wireguard.bind;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** A UDP address. IPv4-mapped IPv6 addresses are normalised to IPv4, as UAPI reports them. */
public record UdpEndpoint(InetSocketAddress address) implements Endpoint {
    public UdpEndpoint {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("endpoint must be numeric: " + address);
        }
        address = normalize(address);
    }

    public static UdpEndpoint of(InetAddress ip, int port) {
        return new UdpEndpoint(new InetSocketAddress(ip, port));
    }

    /**
     * Parses the UAPI form: {@code 1.2.3.4:51820} or {@code [fe80::1%2]:51820} (numeric only; {@code wg} resolves host
     * names itself before it talks to the device).
     */
    public static UdpEndpoint parse(String text) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("endpoint must be host:port: " + text);
        }
        String host = s.substring(0, colon);
        String portText = s.substring(colon + 1);
        if (host.startsWith("[")) {
            if (!host.endsWith("]")) {
                throw new IllegalArgumentException("bad IPv6 endpoint: " + text);
            }
            host = host.substring(1, host.length() - 1);
            if (!host.contains(":")) {
                throw new IllegalArgumentException("bad IPv6 endpoint: " + text);
            }
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("an IPv6 endpoint needs brackets: " + text);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in endpoint: " + text);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range in endpoint: " + text);
        }
        return new UdpEndpoint(new InetSocketAddress(parseNumericAddress(host), port));
    }

    /** Parses a numeric IPv4 or IPv6 address without ever doing a DNS lookup. */
    public static InetAddress parseNumericAddress(String host) {
        String h = host;
        String scope = null;
        int pct = h.indexOf('%');
        if (pct >= 0) {
            scope = h.substring(pct + 1);
            h = h.substring(0, pct);
        }
        byte[] bytes = h.contains(":") ? parseV6(h) : parseV4(h);
        if (bytes == null) {
            throw new IllegalArgumentException("not a numeric IP address: " + host);
        }
        try {
            if (scope != null && bytes.length == 16) {
                try {
                    return Inet6Address.getByAddress(null, bytes, Integer.parseInt(scope));
                } catch (NumberFormatException e) {
                    return InetAddress.getByName(host); // "%eth0": the JDK resolves interface scopes, still no DNS
                }
            }
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a numeric IP address: " + host);
        }
    }

    static byte[] parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    static byte[] parseV6(String s) {
        // Let the JDK parse the literal: with a ':' present it never resolves names. Reject anything else first.
        if (!s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName("[" + s + "]");
            byte[] b = a.getAddress();
            if (b.length == 4) { // ::ffff:a.b.c.d literal comes back as IPv4
                byte[] m = new byte[16];
                m[10] = (byte) 0xff;
                m[11] = (byte) 0xff;
                System.arraycopy(b, 0, m, 12, 4);
                return m;
            }
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    static InetSocketAddress normalize(InetSocketAddress a) {
        if (a.getAddress() instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                try {
                    return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)), a.getPort());
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }

    public InetAddress ip() {
        return address.getAddress();
    }

    public int port() {
        return address.getPort();
    }

    @Override
    public String uapiString() {
        InetAddress ip = address.getAddress();
        if (ip instanceof Inet4Address) {
            return ip.getHostAddress() + ":" + address.getPort();
        }
        return "[" + formatAddress(ip) + "]:" + address.getPort();
    }

    /** An address as {@code wg} prints it: dotted IPv4, or RFC 5952 compressed IPv6 (with {@code %scope}). */
    public static String formatAddress(InetAddress ip) {
        if (ip instanceof Inet4Address) {
            return ip.getHostAddress();
        }
        byte[] a = ip.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        if (ip instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            sb.append('%').append(v6.getScopeId());
        }
        return sb.toString();
    }

    @Override
    public byte[] cookieBytes() {
        byte[] ip = address.getAddress().getAddress();
        byte[] out = Arrays.copyOf(ip, ip.length + 2);
        out[ip.length] = (byte) address.getPort();
        out[ip.length + 1] = (byte) (address.getPort() >>> 8);
        return out;
    }

    @Override
    public byte[] rateLimitKey() {
        byte[] ip = address.getAddress().getAddress();
        return ip.length == 16 ? Arrays.copyOf(ip, 8) : ip;
    }

    @Override
    public String toString() {
        return uapiString();
    }
}
