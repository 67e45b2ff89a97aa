package io.nexodus.api.nexdctl;

/**
 * Which relay carries a peer's traffic: the {@code relay} of {@link PeerStatus} ({@code null} when the path is
 * direct).
 */
public final class RelayKind {
    /** The VPC's WireGuard hub relay ({@code nexd relay}); method {@code via-relay}. */
    public static final String WIREGUARD_RELAY = "wireguard-relay";
    /** The service's built-in public DERP relay; method {@code via-derp-relay}. */
    public static final String PUBLIC_DERP = "public-derp";
    /** A DERP relay onboarded into the VPC ({@code nexd relayderp --onboard}); method {@code via-derp-relay}. */
    public static final String ONBOARDED_DERP = "onboarded-derp";

    private RelayKind() {}
}
