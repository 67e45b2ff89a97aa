package io.nexodus.packetfilter;

/**
 * The state kept per tracked flow, packed in one {@code long} ("meta") next to its key, and the transitions a packet
 * causes. TCP follows Linux conntrack's states in simplified form (no sequence-window checks):
 * <pre>
 *   new SYN            -> SYN_SENT     reply SYN(+ACK) -> SYN_RECV     original ACK -> ESTABLISHED
 *   new non-SYN (pick up a flow already running, as Linux's nf_conntrack_tcp_loose=1 does) -> ESTABLISHED
 *   FIN from one side  -> FIN_WAIT     FIN from both  -> TIME_WAIT     RST either way -> CLOSE
 *   original SYN in TIME_WAIT or CLOSE -> the flow starts over (judged again by the rules)
 * </pre>
 * UDP and other protocols are UNREPLIED until a reply passes, then REPLIED; an ICMP echo flow accepts echo requests
 * one way and echo replies the other, matched by identifier.
 * <p>
 * Meta layout: bits 0-3 state, bit 4 "the originator is the key's low endpoint", bit 5 FIN seen from the originator,
 * bit 6 FIN seen from the responder, bit 7 always set (an occupied slot is never 0), bits 32-63 the rule generation
 * the flow was last checked against.
 */
final class FlowState {
    static final int TCP_SYN_SENT = 1;
    static final int TCP_SYN_RECV = 2;
    static final int TCP_ESTABLISHED = 3;
    static final int TCP_FIN_WAIT = 4;
    static final int TCP_TIME_WAIT = 5;
    static final int TCP_CLOSE = 6;
    static final int UDP_UNREPLIED = 7;
    static final int UDP_REPLIED = 8;
    static final int ICMP_ECHO = 9;
    static final int OTHER_UNREPLIED = 10;
    static final int OTHER_REPLIED = 11;
    static final int STATES = 12;

    static final long ORIG_LOW = 1L << 4;
    static final long FIN_ORIG = 1L << 5;
    static final long FIN_REPLY = 1L << 6;
    static final long OCCUPIED = 1L << 7;

    /** {@link #advance} result: the flow is over and this packet starts a new one. */
    static final long REOPEN = 1;
    /** {@link #advance} result: the packet does not belong to the flow (an echo reply sent the request's way). */
    static final long MISMATCH = 2;

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int ACK = 0x10;

    private FlowState() {}

    static int state(long meta) {
        return (int) (meta & 0x0f);
    }

    static int generation(long meta) {
        return (int) (meta >>> 32);
    }

    static long withGeneration(long meta, int generation) {
        return (meta & 0xffffffffL) | ((long) generation << 32);
    }

    static boolean origIsLow(long meta) {
        return (meta & ORIG_LOW) != 0;
    }

    /** Flows the table-full policy keeps over others: TCP ESTABLISHED, replied UDP and other protocols. */
    static boolean established(long meta) {
        int s = state(meta);
        return s == TCP_ESTABLISHED || s == UDP_REPLIED || s == OTHER_REPLIED;
    }

    static String name(int state) {
        return switch (state) {
            case TCP_SYN_SENT -> "tcp syn-sent";
            case TCP_SYN_RECV -> "tcp syn-received";
            case TCP_ESTABLISHED -> "tcp established";
            case TCP_FIN_WAIT -> "tcp fin-wait";
            case TCP_TIME_WAIT -> "tcp time-wait";
            case TCP_CLOSE -> "tcp close";
            case UDP_UNREPLIED -> "udp unreplied";
            case UDP_REPLIED -> "udp replied";
            case ICMP_ECHO -> "icmp echo";
            case OTHER_UNREPLIED -> "other unreplied";
            case OTHER_REPLIED -> "other replied";
            default -> "state " + state;
        };
    }

    /**
     * The meta of a new flow whose first packet is {@code p}, sent by the key's low endpoint iff {@code srcIsLow}; 0
     * if such a packet creates no flow (a TCP RST, an echo reply without its request): it is judged by the rules
     * alone.
     */
    static long initial(PacketInfo p, boolean srcIsLow, int generation) {
        long base = OCCUPIED | (srcIsLow ? ORIG_LOW : 0) | ((long) generation << 32);
        return switch (p.kind) {
            case PacketInfo.KIND_TCP -> {
                int f = p.tcpFlags;
                if ((f & RST) != 0) {
                    yield 0;
                }
                if ((f & SYN) != 0 && (f & ACK) == 0) {
                    yield base | TCP_SYN_SENT;
                }
                yield advance(base | TCP_ESTABLISHED, p, true);
            }
            case PacketInfo.KIND_UDP -> base | UDP_UNREPLIED;
            case PacketInfo.KIND_ECHO_REQUEST -> base | ICMP_ECHO;
            case PacketInfo.KIND_OTHER -> base | OTHER_UNREPLIED;
            default -> 0;
        };
    }

    /**
     * The flow's meta after packet {@code p} ({@code isOrig}: sent by the originator), {@link #REOPEN} or
     * {@link #MISMATCH}. Returns {@code meta} itself when the packet changes nothing, which is what lets an
     * established flow's packets pass on the lock-free path. Pure and allocation-free.
     */
    static long advance(long meta, PacketInfo p, boolean isOrig) {
        int s = state(meta);
        return switch (s) {
            case UDP_UNREPLIED -> isOrig ? meta : (meta & ~0x0fL) | UDP_REPLIED;
            case OTHER_UNREPLIED -> isOrig ? meta : (meta & ~0x0fL) | OTHER_REPLIED;
            case UDP_REPLIED, OTHER_REPLIED -> meta;
            case ICMP_ECHO ->
                p.kind == (isOrig ? PacketInfo.KIND_ECHO_REQUEST : PacketInfo.KIND_ECHO_REPLY) ? meta : MISMATCH;
            default -> advanceTcp(meta, s, p.tcpFlags, isOrig);
        };
    }

    private static long advanceTcp(long meta, int s, int flags, boolean isOrig) {
        if ((flags & RST) != 0) {
            return s == TCP_CLOSE ? meta : set(meta, TCP_CLOSE);
        }
        boolean syn = (flags & SYN) != 0;
        boolean ack = (flags & ACK) != 0;
        if ((s == TCP_TIME_WAIT || s == TCP_CLOSE) && isOrig && syn && !ack) {
            return REOPEN;
        }
        int next = s;
        if (s == TCP_SYN_SENT && !isOrig && syn) {
            next = TCP_SYN_RECV;
        } else if (s == TCP_SYN_RECV && isOrig && ack && !syn) {
            next = TCP_ESTABLISHED;
        }
        long m = next == s ? meta : set(meta, next);
        if ((flags & FIN) != 0 && next >= TCP_SYN_RECV && next <= TCP_FIN_WAIT) {
            m |= isOrig ? FIN_ORIG : FIN_REPLY;
            m = set(m, (m & FIN_ORIG) != 0 && (m & FIN_REPLY) != 0 ? TCP_TIME_WAIT : TCP_FIN_WAIT);
        }
        return m;
    }

    private static long set(long meta, int state) {
        return (meta & ~0x0fL) | state;
    }
}
