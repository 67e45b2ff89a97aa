package io.nexodus.nexd.peering;

/**
 * How this agent reaches a peer. The wire names are upstream Nexodus' (what {@code nexctl nexd peers list} shows);
 * {@link PeeringPolicy} orders them and the first whose prerequisites hold is tried first.
 */
public enum PeeringMethod {
    /** I am the WireGuard relay and share the peer's reflexive IP: its LAN endpoint. */
    RELAY_NODE_SELF_DIRECT_LOCAL("relay-node-self-direct-local"),
    /** I am the WireGuard relay: the peer's reflexive endpoint, or none for a peer behind symmetric NAT (it calls us). */
    RELAY_NODE_SELF("relay-node-self"),
    /** The peer is the WireGuard relay, behind my NAT: its LAN endpoint; allowed IPs = the VPC's CIDRs. */
    RELAY_NODE_PEER_DIRECT_LOCAL("relay-node-peer-direct-local"),
    /** The peer is the WireGuard relay: its reflexive endpoint; allowed IPs = the VPC's CIDRs. */
    RELAY_NODE_PEER("relay-node-peer"),
    /** Same reflexive IP (behind one NAT): the peer's LAN endpoint. */
    DIRECT_LOCAL("direct-local"),
    /** Neither side behind symmetric NAT: the peer's reflexive endpoint, hole-punched by both sides' keepalives. */
    REFLEXIVE("reflexive"),
    /**
     * Exactly one side is behind a symmetric NAT (a new mapping per destination) and the other has a public address.
     * The symmetric side sends to the other's reflexive endpoint; the other side cannot know the mapping beforehand
     * and answers where the peer's authenticated packets come from (WireGuard's roaming: a peer-reflexive endpoint).
     */
    PEER_REFLEXIVE("peer-reflexive"),
    /** Through the VPC's WireGuard relay: no entry for the peer; the relay's entry covers the VPC's CIDRs. */
    VIA_RELAY("via-relay"),
    /** Through a DERP relay over TLS: the peer's entry gets a loopback endpoint of the wireguard-derp proxy. */
    VIA_DERP_RELAY("via-derp-relay");

    private final String wireName;

    PeeringMethod(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** WireGuard packets go straight to the peer (no relay forwards them). */
    public boolean isDirect() {
        return this != VIA_RELAY && this != VIA_DERP_RELAY;
    }

    /** The peer has its own WireGuard entry on this device (everything but {@link #VIA_RELAY}). */
    public boolean configuresPeer() {
        return this != VIA_RELAY;
    }

    /** The peer is the VPC's WireGuard relay (its entry carries the VPC's CIDRs). */
    public boolean peerIsRelay() {
        return this == RELAY_NODE_PEER || this == RELAY_NODE_PEER_DIRECT_LOCAL;
    }

    public static PeeringMethod fromWireName(String name) {
        for (PeeringMethod m : values()) {
            if (m.wireName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown peering method " + name);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
