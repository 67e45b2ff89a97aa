package io.nexodus.nexd.proxy;

import io.nexodus.api.nexdctl.ProxyDirection;
import io.nexodus.nexd.endpoint.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * One {@code nexd proxy} rule in upstream's form {@code protocol:port:destination_ip:destination_port}:
 * <ul>
 *   <li>ingress: connections (TCP) or datagrams (UDP) arriving on this device's tunnel address at {@code port} are
 *       forwarded to {@code destination} on this host's networks (usually a local service, {@code 127.0.0.1:8080});
 *   <li>egress: nexd listens on this host's loopback address at {@code port} and forwards to {@code destination} in
 *       the Nexodus network (a peer's tunnel address).
 * </ul>
 * The destination is an IP address (IPv6 as is, {@code tcp:80:fd00::5:8080}, or in brackets); host names are refused,
 * as upstream does.
 */
public record ProxyRule(ProxyDirection direction, Protocol protocol, int port, InetSocketAddress destination) {

    /** The transport a rule forwards. */
    public enum Protocol {
        TCP,
        UDP;

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ProxyRule {
        Objects.requireNonNull(direction);
        Objects.requireNonNull(protocol);
        Objects.requireNonNull(destination);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port outside 1..65535: " + port);
        }
    }

    /**
     * Parses {@code protocol:port:destination_ip:destination_port}. Errors name what is wrong, e.g. "ingress rule
     * tcp:80:127.0.0.1: expected protocol:port:destination_ip:destination_port".
     */
    public static ProxyRule parse(ProxyDirection direction, String text) {
        String what = direction.name().toLowerCase(Locale.ROOT) + " rule " + text;
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty " + direction.name().toLowerCase(Locale.ROOT)
                    + " rule: expected protocol:port:destination_ip:destination_port");
        }
        String s = text.strip();
        int first = s.indexOf(':');
        int second = first < 0 ? -1 : s.indexOf(':', first + 1);
        int last = s.lastIndexOf(':');
        if (first < 0 || second < 0 || last <= second) {
            throw new IllegalArgumentException(
                    what + ": expected protocol:port:destination_ip:destination_port (e.g. tcp:8080:127.0.0.1:80)");
        }
        String proto = s.substring(0, first).toLowerCase(Locale.ROOT);
        Protocol protocol = switch (proto) {
            case "tcp" -> Protocol.TCP;
            case "udp" -> Protocol.UDP;
            default ->
                throw new IllegalArgumentException(
                        what + ": protocol must be tcp or udp, not '" + s.substring(0, first) + "'");
        };
        int port = port(what, "port", s.substring(first + 1, second));
        String ip = s.substring(second + 1, last);
        if (ip.startsWith("[") && ip.endsWith("]")) {
            ip = ip.substring(1, ip.length() - 1);
        }
        String ipText = ip;
        InetAddress address = Addresses.parseIp(ip)
                .orElseThrow(() ->
                        new IllegalArgumentException(what + ": destination '" + ipText + "' is not an IP address"));
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            throw new IllegalArgumentException(
                    what + ": destination " + address.getHostAddress() + " is not a unicast address");
        }
        int destinationPort = port(what, "destination port", s.substring(last + 1));
        return new ProxyRule(direction, protocol, port, new InetSocketAddress(address, destinationPort));
    }

    private static int port(String what, String name, String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(what + ": " + name + " '" + text + "' is not a number in 1..65535");
        }
        int p = Integer.parseInt(text);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(what + ": " + name + " " + p + " is outside 1..65535");
        }
        return p;
    }

    /** The rule's text, {@code tcp:80:127.0.0.1:8080} (IPv6 destinations unbracketed, as upstream prints them). */
    public String text() {
        InetAddress a = destination.getAddress();
        String ip = a instanceof Inet6Address ? Addresses.format(new InetSocketAddress(a, 0)) : a.getHostAddress();
        if (a instanceof Inet6Address) {
            ip = ip.substring(1, ip.lastIndexOf(']'));
        }
        return protocol.text() + ":" + port + ":" + ip + ":" + destination.getPort();
    }

    /** What {@code nexctl nexd proxy list} shows: {@code --ingress tcp:80:127.0.0.1:8080}. */
    public String flagForm() {
        return direction.flag() + " " + text();
    }

    /** The listening side: the same direction, protocol and port cannot be used by two rules. */
    boolean sameListener(ProxyRule other) {
        return direction == other.direction && protocol == other.protocol && port == other.port;
    }

    @Override
    public String toString() {
        return flagForm();
    }
}
