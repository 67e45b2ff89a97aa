package io.nexodus.nexd.peering;

import io.nexodus.nexd.endpoint.Addresses;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One way to reach a peer: a method and, for the methods that give the peer its own WireGuard entry, the endpoint
 * to send to (empty = wait to be contacted and learn the endpoint from the peer's packets).
 *
 * @param method   how
 * @param endpoint where WireGuard sends; empty for {@link PeeringMethod#VIA_RELAY} and for peers that call us
 * @param via      the relay's public key for relayed methods (base64), else empty
 */
public record PathOption(PeeringMethod method, Optional<InetSocketAddress> endpoint, Optional<String> via) {
    public PathOption {
        Objects.requireNonNull(method);
        Objects.requireNonNull(endpoint);
        Objects.requireNonNull(via);
    }

    public static PathOption direct(PeeringMethod method, InetSocketAddress endpoint) {
        return new PathOption(method, Optional.ofNullable(endpoint), Optional.empty());
    }

    public static PathOption viaRelay(String relayPublicKey) {
        return new PathOption(PeeringMethod.VIA_RELAY, Optional.empty(), Optional.of(relayPublicKey));
    }

    /**
     * {@link PeeringMethod#PEER_REFLEXIVE} on the side that waits: no endpoint of its own. Never tried by itself (it
     * would only wait); the peer's entry under another method (or a shadow entry while on the WireGuard relay) accepts
     * the peer's direct packets, and once WireGuard has learned the peer's mapping from them the path switches to
     * {@link #learned}.
     */
    public static PathOption awaitPeerReflexive() {
        return new PathOption(PeeringMethod.PEER_REFLEXIVE, Optional.empty(), Optional.empty());
    }

    /** {@link PeeringMethod#PEER_REFLEXIVE} with the endpoint WireGuard learned from the peer's packets. */
    public static PathOption learned(InetSocketAddress endpoint) {
        return new PathOption(PeeringMethod.PEER_REFLEXIVE, Optional.of(endpoint), Optional.empty());
    }

    /** The waiting side of {@link PeeringMethod#PEER_REFLEXIVE} (see {@link #awaitPeerReflexive()}). */
    public boolean isPassive() {
        return method == PeeringMethod.PEER_REFLEXIVE && endpoint.isEmpty();
    }

    /** Through a DERP relay ({@code relayId}, {@link DerpRelay#id}) via the proxy's loopback {@code endpoint}. */
    public static PathOption viaDerp(InetSocketAddress loopback, String relayId) {
        return new PathOption(PeeringMethod.VIA_DERP_RELAY, Optional.of(loopback), Optional.of(relayId));
    }

    @Override
    public String toString() {
        return method.wireName()
                + endpoint.map(e -> " " + Addresses.format(e)).orElse("")
                + via.map(v -> " via "
                                + (method == PeeringMethod.VIA_DERP_RELAY
                                        ? v
                                        : v.substring(0, Math.min(8, v.length()))))
                        .orElse("");
    }
}
