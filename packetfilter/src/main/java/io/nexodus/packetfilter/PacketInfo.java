package io.nexodus.packetfilter;

/**
 * What the filter needs from one IP packet, filled in place by {@link PacketParser} (one instance per packet thread,
 * reused, so parsing allocates nothing). Addresses are two 64-bit words; IPv4 sits in the low 32 bits of {@code lo}.
 */
final class PacketInfo {
    /** A TCP segment. */
    static final int KIND_TCP = 1;
    /** A UDP datagram. */
    static final int KIND_UDP = 2;
    /** An ICMP or ICMPv6 echo request; {@link #sport}/{@link #dport} hold its identifier. */
    static final int KIND_ECHO_REQUEST = 3;
    /** An ICMP or ICMPv6 echo reply; {@link #sport}/{@link #dport} hold its identifier. */
    static final int KIND_ECHO_REPLY = 4;
    /** An ICMP error carrying the start of the packet it is about (the {@code inner*} fields, when readable). */
    static final int KIND_ICMP_ERROR = 5;
    /** Any other ICMP message (neighbour discovery, router advertisements, timestamps...): judged statelessly. */
    static final int KIND_ICMP_OTHER = 6;
    /** Any other layer-4 protocol, tracked by addresses and protocol only. */
    static final int KIND_OTHER = 7;

    int version;
    long srcHi;
    long srcLo;
    long dstHi;
    long dstLo;
    int l4;
    int sport;
    int dport;
    int tcpFlags;
    int icmpType;
    int kind;

    /** Whether the ICMP error's embedded packet header was readable (then the inner fields are set). */
    boolean innerValid;

    long innerSrcHi;
    long innerSrcLo;
    long innerDstHi;
    long innerDstLo;
    int innerL4;
    int innerSport;
    int innerDport;
    int innerKind;

    /** Flow key scratch space, reused for this packet. */
    final FlowKey key = new FlowKey();

    /** The remote address of a packet in {@code direction}: the source inbound, the destination outbound. */
    long remoteHi(Direction direction) {
        return direction == Direction.INBOUND ? srcHi : dstHi;
    }

    long remoteLo(Direction direction) {
        return direction == Direction.INBOUND ? srcLo : dstLo;
    }

    /** The packet's endpoints as text, for logs (allocates; never on the accept path). */
    String describe() {
        String proto = switch (l4) {
            case Protocol.IP_TCP -> "tcp";
            case Protocol.IP_UDP -> "udp";
            case Protocol.IP_ICMP -> "icmp";
            case Protocol.IP_ICMPV6 -> "icmpv6";
            default -> "proto " + l4;
        };
        boolean v6 = version == 6;
        String src = Address.format(v6, srcHi, srcLo);
        String dst = Address.format(v6, dstHi, dstLo);
        if (kind == KIND_TCP || kind == KIND_UDP) {
            return proto + " " + bracket(v6, src) + ":" + sport + " -> " + bracket(v6, dst) + ":" + dport;
        }
        if (l4 == Protocol.IP_ICMP || l4 == Protocol.IP_ICMPV6) {
            return proto + " type " + icmpType + " " + src + " -> " + dst;
        }
        return proto + " " + src + " -> " + dst;
    }

    private static String bracket(boolean v6, String address) {
        return v6 ? "[" + address + "]" : address;
    }
}
