package io.nexodus.packetfilter;

/** What {@link StatefulFilter#decide} did with a packet, and why. Every decision is counted. */
public enum Decision {
    /** The first packet of a flow a rule (or a direction without rules) allows; the flow is now tracked. */
    ACCEPT_NEW(true),
    /** A packet of a tracked flow, sent the way the flow started. */
    ACCEPT_ESTABLISHED(true),
    /** A reply in a tracked flow (the other way). */
    ACCEPT_REPLY(true),
    /** An ICMP error about a tracked flow (unreachable, too big, time exceeded, parameter problem). */
    ACCEPT_RELATED(true),
    /**
     * A packet a rule allows that starts no flow: a TCP RST, an echo reply or other ICMP without a tracked flow, a TCP
     * segment without SYN when the filter does not pick up running connections.
     */
    ACCEPT_STATELESS(true),
    /** A non-first fragment: no ports to judge; its first fragment was judged. */
    ACCEPT_FRAGMENT(true),
    /** A packet neither to nor from this device's own addresses (forwarded by a relay or router): not filtered. */
    ACCEPT_TRANSIT(true),
    /** A new flow no rule of its direction allows. */
    DROP_NO_MATCH(false),
    /** A new flow allowed by the rules that the full connection table could not take. */
    DROP_TABLE_FULL(false),
    /** A packet that is not a well-formed IPv4/IPv6 packet (see {@link PacketParser}). */
    DROP_INVALID(false);

    private final boolean accepted;

    Decision(boolean accepted) {
        this.accepted = accepted;
    }

    /** Whether the packet may pass. */
    public boolean accepted() {
        return accepted;
    }
}
