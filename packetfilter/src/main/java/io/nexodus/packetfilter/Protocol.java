package io.nexodus.packetfilter;

import java.util.Locale;

/**
 * The {@code ip_protocol} values a security rule accepts: exactly upstream's set ({@code ""}, {@code ipv4},
 * {@code ipv6}, {@code icmp}, {@code icmpv4}, {@code icmpv6}, {@code tcp}, {@code udp}). Case and surrounding blanks
 * are ignored, as the service's validator does. Anything else ({@code ip}, {@code all}, {@code -1}, {@code 6}) is
 * refused: upstream refuses it too.
 */
public enum Protocol {
    /** {@code ""}: every protocol of both families; with ports, TCP or UDP to those ports. */
    ANY(""),
    /** Every IPv4 packet. */
    IPV4("ipv4"),
    /** Every IPv6 packet. */
    IPV6("ipv6"),
    /** ICMP of the packet's family: ICMPv4 in IPv4, ICMPv6 in IPv6 (upstream: see docs/security-groups.md). */
    ICMP("icmp"),
    /** ICMPv4 (IPv4 protocol 1). */
    ICMPV4("icmpv4"),
    /** ICMPv6 (IPv6 next header 58). */
    ICMPV6("icmpv6"),
    /** TCP over IPv4 or IPv6. */
    TCP("tcp"),
    /** UDP over IPv4 or IPv6. */
    UDP("udp");

    static final int IP_ICMP = 1;
    static final int IP_TCP = 6;
    static final int IP_UDP = 17;
    static final int IP_ICMPV6 = 58;

    private final String wireName;

    Protocol(String wireName) {
        this.wireName = wireName;
    }

    /** The value as upstream's API spells it. */
    public String wireName() {
        return wireName;
    }

    /** Whether {@code from_port}/{@code to_port} may be set for this protocol. */
    public boolean allowsPorts() {
        return this == ANY || this == TCP || this == UDP;
    }

    /** The protocol for an API value, or null if upstream does not accept it. A null value means {@code ""}. */
    public static Protocol fromWire(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        for (Protocol p : values()) {
            if (p.wireName.equals(v)) {
                return p;
            }
        }
        return null;
    }

    /** Whether a packet of this IP version (4 or 6) and layer-4 protocol number is of this protocol. */
    boolean matches(int ipVersion, int l4) {
        return switch (this) {
            case ANY -> true;
            case IPV4 -> ipVersion == 4;
            case IPV6 -> ipVersion == 6;
            case ICMP -> (ipVersion == 4 && l4 == IP_ICMP) || (ipVersion == 6 && l4 == IP_ICMPV6);
            case ICMPV4 -> ipVersion == 4 && l4 == IP_ICMP;
            case ICMPV6 -> ipVersion == 6 && l4 == IP_ICMPV6;
            case TCP -> l4 == IP_TCP;
            case UDP -> l4 == IP_UDP;
        };
    }

    /** The address family the protocol is bound to: 4, 6, or 0 for both. */
    int family() {
        return switch (this) {
            case IPV4, ICMPV4 -> 4;
            case IPV6, ICMPV6 -> 6;
            default -> 0;
        };
    }
}
