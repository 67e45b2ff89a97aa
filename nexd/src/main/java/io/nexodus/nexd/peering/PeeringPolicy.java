package io.nexodus.nexd.peering;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which ways to reach a peer this agent should try, best first (upstream nexd's order). Pure: the same inputs give the
 * same list, on both ends of a pair, so both sides pick matching methods. {@link PeerPath} walks the list when a
 * method does not come up or goes down.
 * <ol>
 *   <li>I am the relay: the peer's LAN endpoint if we share a reflexive IP, else its reflexive endpoint (none if it
 *       is behind symmetric NAT: it calls us and we learn its address from its packets).</li>
 *   <li>The peer is the relay: its LAN endpoint if we share a reflexive IP, then its reflexive endpoint.</li>
 *   <li>Same reflexive IP (one NAT), neither is a relay, I am not {@code --relay-only}: the peer's LAN endpoint.</li>
 *   <li>Neither side behind symmetric NAT / relay-only: the peer's reflexive endpoint (hole punching).</li>
 *   <li>Exactly one side behind symmetric NAT (with STUN answers, so not UDP-blocked), the other with a public address
 *       (its local endpoint is its reflexive endpoint, so nothing filters what reaches it): peer-reflexive. The
 *       symmetric side sends to the public side's reflexive endpoint; the public side waits
 *       ({@link PathOption#awaitPeerReflexive()}) and answers where the authenticated packets came from. A NAT in front
 *       of the other side that filters by the sender's port (the common "easy" NAT) would drop those packets, because
 *       the symmetric side's mapping towards it is new and unknown, so the method is not offered there — unless
 *       the symmetric NAT hands out its ports in turn ({@link SelfInfo#portsInTurn()}, published as two close
 *       {@code stun:} answers, {@link PeerInfo#portPrediction()}): then the waiting side sends a window of probes to
 *       the predicted ports from its WireGuard port ({@link PortProbes}), which opens its NAT for the symmetric side's
 *       handshake, and learns the actual mapping from it as above. Same method, same fallback.</li>
 *   <li>A WireGuard relay exists: through it.</li>
 *   <li>A DERP relay is known (a healthy onboarded one, else the service's public one): through the wireguard-derp
 *       proxy, whose per-peer loopback address is the entry's endpoint. Offered for every peer that is not itself a
 *       relay, so it is also the fallback when a direct method or the WireGuard relay fails (UDP blocked).</li>
 * </ol>
 */
public final class PeeringPolicy {
    private final DerpEndpoints derpEndpoints;

    /** Without a wireguard-derp proxy: DERP is never offered. */
    public PeeringPolicy() {
        this(DerpEndpoints.NONE);
    }

    public PeeringPolicy(DerpEndpoints derpEndpoints) {
        this.derpEndpoints = derpEndpoints;
    }

    public List<PathOption> options(SelfInfo self, PeerInfo peer, RelayView relays) {
        List<PathOption> out = new ArrayList<>();
        boolean sameNat = sameReflexiveIp(self.reflexiveIp(), peer.reflexiveEndpoint());
        if (self.relay()) {
            if (sameNat && peer.localEndpoint().isPresent()) {
                out.add(PathOption.direct(
                        PeeringMethod.RELAY_NODE_SELF_DIRECT_LOCAL,
                        peer.localEndpoint().get()));
            }
            InetSocketAddress reflexive =
                    peer.symmetricNat() ? null : peer.reflexiveEndpoint().orElse(null);
            out.add(PathOption.direct(PeeringMethod.RELAY_NODE_SELF, reflexive));
            return out;
        }
        if (peer.isWireGuardRelay()) {
            if (sameNat && peer.localEndpoint().isPresent()) {
                out.add(PathOption.direct(
                        PeeringMethod.RELAY_NODE_PEER_DIRECT_LOCAL,
                        peer.localEndpoint().get()));
            }
            peer.reflexiveEndpoint()
                    .or(peer::localEndpoint)
                    .ifPresent(e -> out.add(PathOption.direct(PeeringMethod.RELAY_NODE_PEER, e)));
            return out;
        }
        if (sameNat && !self.relayOnly() && peer.localEndpoint().isPresent()) {
            out.add(PathOption.direct(
                    PeeringMethod.DIRECT_LOCAL, peer.localEndpoint().get()));
        }
        if (!self.needsRelay()
                && !peer.symmetricNat()
                && peer.reflexiveEndpoint().isPresent()) {
            out.add(PathOption.direct(
                    PeeringMethod.REFLEXIVE, peer.reflexiveEndpoint().get()));
        }
        if (self.symmetricNat()
                && !self.relayOnly()
                && self.reflexiveIp().isPresent()
                && !peer.symmetricNat()
                && (hasPublicAddress(peer)
                        || (self.portsInTurn() && peer.reflexiveEndpoint().isPresent()))) {
            out.add(PathOption.direct(
                    PeeringMethod.PEER_REFLEXIVE, peer.reflexiveEndpoint().get()));
        } else if (!self.needsRelay()
                && peer.symmetricNat()
                && peer.reflexiveEndpoint().isPresent()) {
            out.add(PathOption.awaitPeerReflexive());
        }
        relays.wireguardRelay()
                .filter(r -> !r.publicKey().equals(peer.publicKey()))
                .ifPresent(r -> out.add(PathOption.viaRelay(r.publicKey())));
        relays.derp()
                .ifPresent(d -> derpEndpoints
                        .endpointFor(peer.publicKey())
                        .ifPresent(e -> out.add(PathOption.viaDerp(e, d.id()))));
        return out;
    }

    /** Whether this agent needs a relay for {@code peer}: no direct method applies. */
    public boolean needsRelay(SelfInfo self, PeerInfo peer) {
        if (self.relay() || peer.isWireGuardRelay()) {
            return false;
        }
        List<PathOption> direct = options(self, peer, RelayView.NONE);
        return direct.isEmpty();
    }

    /**
     * We offer the peer {@link PeeringMethod#PEER_REFLEXIVE} only because our NAT's ports can be predicted (the peer is
     * behind a NAT of its own, which it opens for our next ports).
     */
    public static boolean sendsByPortPrediction(SelfInfo self, PeerInfo peer) {
        return self.symmetricNat() && self.portsInTurn() && !peer.symmetricNat() && !hasPublicAddress(peer);
    }

    /** The peer's published local endpoint is its reflexive one: no NAT in front of it. */
    static boolean hasPublicAddress(PeerInfo peer) {
        return peer.reflexiveEndpoint().isPresent()
                && peer.localEndpoint().isPresent()
                && peer.reflexiveEndpoint().get().equals(peer.localEndpoint().get());
    }

    static boolean sameReflexiveIp(Optional<InetAddress> mine, Optional<InetSocketAddress> theirs) {
        return mine.isPresent()
                && theirs.isPresent()
                && mine.get().equals(theirs.get().getAddress());
    }
}
