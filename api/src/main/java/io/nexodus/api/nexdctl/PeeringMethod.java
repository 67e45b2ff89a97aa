package io.nexodus.api.nexdctl;

import java.util.Set;

/**
 * How an agent reaches a peer: the {@code method} of {@link PeerStatus} and {@link PeerReachability}. The names are
 * upstream Nexodus' (its nexd tries them in this order and uses the first whose prerequisites hold). Kept as strings
 * on the wire so a newer agent can add methods without breaking an older nexctl.
 */
public final class PeeringMethod {
    /** This device is the WireGuard relay and shares the peer's reflexive IP: the peer's local endpoint. */
    public static final String RELAY_NODE_SELF_DIRECT_LOCAL = "relay-node-self-direct-local";
    /** This device is the WireGuard relay: the peer connects to it. */
    public static final String RELAY_NODE_SELF = "relay-node-self";
    /** The peer is the WireGuard relay, behind the same NAT: its local endpoint. */
    public static final String RELAY_NODE_PEER_DIRECT_LOCAL = "relay-node-peer-direct-local";
    /** The peer is the WireGuard relay: its reflexive endpoint, allowed IPs = the VPC's CIDRs. */
    public static final String RELAY_NODE_PEER = "relay-node-peer";
    /** Same reflexive IP (same NAT): the peer's local (LAN) endpoint. */
    public static final String DIRECT_LOCAL = "direct-local";
    /** Neither side behind symmetric NAT: the peer's STUN (reflexive) endpoint, hole-punched by both sides. */
    public static final String REFLEXIVE = "reflexive";
    /**
     * Exactly one side is behind a symmetric NAT and the other has a public address: the symmetric side sends to the
     * other's reflexive endpoint, the other side answers where those authenticated packets came from (the symmetric
     * side's real mapping, learned by WireGuard's roaming).
     */
    public static final String PEER_REFLEXIVE = "peer-reflexive";
    /** Through the VPC's WireGuard relay (hub) device. */
    public static final String VIA_RELAY = "via-relay";
    /** Through a DERP relay over TLS (the public one or an onboarded one; see {@link PeerStatus#relay()}). */
    public static final String VIA_DERP_RELAY = "via-derp-relay";

    private static final Set<String> DIRECT = Set.of(
            RELAY_NODE_SELF_DIRECT_LOCAL,
            RELAY_NODE_SELF,
            RELAY_NODE_PEER_DIRECT_LOCAL,
            RELAY_NODE_PEER,
            DIRECT_LOCAL,
            REFLEXIVE,
            PEER_REFLEXIVE);

    private PeeringMethod() {}

    /** True for methods where WireGuard packets go straight to the peer (no relay forwards them). */
    public static boolean isDirect(String method) {
        return method != null && DIRECT.contains(method);
    }

    /** True for the methods that go through a relay. */
    public static boolean isRelayed(String method) {
        return VIA_RELAY.equals(method) || VIA_DERP_RELAY.equals(method);
    }
}
