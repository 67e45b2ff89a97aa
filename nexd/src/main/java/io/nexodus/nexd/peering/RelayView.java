package io.nexodus.nexd.peering;

import java.util.Optional;

/**
 * The relays this agent can use. Issue 4 has the VPC's WireGuard hub relay; the DERP relays (the service's public one
 * and an onboarded one) join here as further fields, and {@link PeeringPolicy} appends a
 * {@link PeeringMethod#VIA_DERP_RELAY} option after {@link PeeringMethod#VIA_RELAY}.
 *
 * @param wireguardRelay the VPC's WireGuard relay device (never this agent itself)
 */
public record RelayView(Optional<PeerInfo> wireguardRelay) {
    public static final RelayView NONE = new RelayView(Optional.empty());

    public boolean anyRelay() {
        return wireguardRelay.isPresent();
    }
}
