package io.nexodus.nexd.endpoint;

import io.nexodus.wireguard.bind.UdpEndpoint;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** Numeric socket addresses in the API's text form ({@code 1.2.3.4:51820}, {@code [2001:db8::1]:51820}). */
public final class Addresses {
    private Addresses() {}

    public static String format(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        String host = ip == null ? a.getHostString() : ip.getHostAddress();
        if (ip instanceof Inet6Address v6) {
            return "[" + UdpEndpoint.formatAddress(v6).replaceAll("%.*$", "") + "]:" + a.getPort();
        }
        return host + ":" + a.getPort();
    }

    /**
     * Parses {@code ip:port} or {@code [v6]:port} without DNS; empty for anything else (the service is not trusted
     * to send well-formed endpoints, and a peer with a bad one is simply not reachable at it).
     */
    public static Optional<InetSocketAddress> parseEndpoint(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return Optional.empty();
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            return Optional.empty();
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (port < 1 || port > 65535) {
            return Optional.empty();
        }
        return parseIp(host).map(ip -> new InetSocketAddress(ip, port));
    }

    /** A numeric IPv4 or IPv6 address (no DNS lookups, ever); empty for anything else. */
    public static Optional<InetAddress> parseIp(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String s = text.strip();
        try {
            if (s.indexOf(':') >= 0) {
                if (!s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return Optional.empty();
                }
                return Optional.of(InetAddress.getByName("[" + s + "]"));
            }
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return Optional.empty();
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty()
                        || parts[i].length() > 3
                        || !parts[i].chars().allMatch(Character::isDigit)) {
                    return Optional.empty();
                }
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    return Optional.empty();
                }
                b[i] = (byte) v;
            }
            return Optional.of(Inet4Address.getByAddress(b));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * Resolves {@code host:port} (a STUN server given on the command line; names allowed, resolved once here). Throws
     * IllegalArgumentException with a message for people.
     */
    public static InetSocketAddress resolveHostPort(String text, int defaultPort) {
        String s = text.strip();
        String host = s;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("bad address " + text);
            }
            host = s.substring(1, end);
            if (end + 1 < s.length()) {
                if (s.charAt(end + 1) != ':') {
                    throw new IllegalArgumentException("bad address " + text);
                }
                port = parsePort(s.substring(end + 2), text);
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = parsePort(s.substring(s.indexOf(':') + 1), text);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("missing host in " + text);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + host + " (from " + text + ")");
        }
    }

    private static int parsePort(String p, String whole) {
        try {
            int port = Integer.parseInt(p);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in " + whole);
        }
    }
}
