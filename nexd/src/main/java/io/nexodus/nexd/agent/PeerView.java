package io.nexodus.nexd.agent;

import io.nexodus.nexd.peering.PeerPath;
import io.nexodus.nexd.peering.PeeringMethod;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One peer as the agent sees it right now (for the control socket and the playground).
 *
 * @param publicKey     WireGuard public key (base64)
 * @param deviceId      the peer's device id
 * @param hostname      the peer's host name
 * @param tunnelIps     its tunnel addresses, IPv4 first
 * @param method        the method in use; null when none applies
 * @param relay         {@code wireguard-relay}, {@code public-derp} or {@code onboarded-derp} when relayed, else null
 * @param endpoint      where WireGuard sends ({@code ip:port}), "" when relayed or unknown
 * @param allowedIps    the WireGuard entry's allowed IPs
 * @param lastHandshake null if none
 * @param rxBytes       received from the peer's entry
 * @param txBytes       sent to it
 * @param healthy       the path works (recent handshake and the peer heard from / the relay is healthy)
 * @param state         the path's state
 * @param reason        why this method (when the better one failed), else ""
 * @param options       the methods that apply, best first
 * @param relayName     which relay when relayed: the WireGuard relay's hostname, an onboarded DERP relay's host name,
 *                      {@code public:<region>}; else null
 * @param pathNote      what port prediction did for this path ({@code port prediction: ...}), else null
 */
public record PeerView(
        String publicKey,
        UUID deviceId,
        String hostname,
        List<String> tunnelIps,
        PeeringMethod method,
        String relay,
        String endpoint,
        List<String> allowedIps,
        Instant lastHandshake,
        long rxBytes,
        long txBytes,
        boolean healthy,
        PeerPath.State state,
        String reason,
        List<String> options,
        String relayName,
        String pathNote) {
    public static final String WIREGUARD_RELAY = "wireguard-relay";
    /** Through the service's public DERP relay ({@code RelayKind.PUBLIC_DERP}). */
    public static final String PUBLIC_DERP = "public-derp";
    /** Through a DERP relay onboarded into the VPC ({@code RelayKind.ONBOARDED_DERP}). */
    public static final String ONBOARDED_DERP = "onboarded-derp";

    public PeerView {
        tunnelIps = List.copyOf(tunnelIps);
        allowedIps = List.copyOf(allowedIps);
        options = List.copyOf(options);
    }
}
