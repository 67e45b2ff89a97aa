package io.nexodus.nexd.peering;

import java.util.Optional;

/**
 * The relays this agent can use: the VPC's WireGuard hub relay and the one DERP relay to use for peers that need
 * relaying ({@link RelaySelector} applies the precedence: a healthy onboarded DERP relay, else the service's
 * public one). {@link PeeringPolicy} offers {@link PeeringMethod#VIA_RELAY} first and
 * {@link PeeringMethod#VIA_DERP_RELAY} after it, so an onboarded WireGuard relay wins while it works.
 *
 * @param wireguardRelay the VPC's WireGuard relay device (never this agent itself)
 * @param derp           the DERP relay to relay through, if any
 */
public record RelayView(Optional<PeerInfo> wireguardRelay, Optional<DerpRelay> derp) {
    public static final RelayView NONE = new RelayView(Optional.empty(), Optional.empty());

    public RelayView(Optional<PeerInfo> wireguardRelay) {
        this(wireguardRelay, Optional.empty());
    }

    /** An onboarded relay (WireGuard, or DERP) is known: what {@code nexctl nexd status} calls relay-present. */
    public boolean anyRelay() {
        return wireguardRelay.isPresent() || derp.isPresent();
    }
}
