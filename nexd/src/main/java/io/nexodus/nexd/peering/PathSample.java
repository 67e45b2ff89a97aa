package io.nexodus.nexd.peering;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * What the data plane says about a peer at one moment.
 *
 * @param lastHandshake   last completed handshake of the peer's WireGuard entry (null: none, or no entry)
 * @param rxBytes         bytes received from the entry (counters restart when the entry is re-created)
 * @param txBytes         bytes sent to the entry
 * @param relayHealthy    the WireGuard relay's own path is up (what a {@link PeeringMethod#VIA_RELAY} peer rides on)
 * @param shadowHandshake while relayed: last handshake of the shadow entry that probes the direct method
 * @param derpPacketsFromPeer packets the peer sent us through a DERP relay, cumulative (whichever path we use for it:
 *                        a peer that can only use DERP sends there even while we still send another way)
 * @param endpoint        where the peer's entry (or, while relayed, its shadow entry) sends now: the configured
 *                        endpoint, or the one WireGuard learned from the peer's authenticated packets (roaming); null
 *                        when unknown or none
 */
public record PathSample(
        Instant lastHandshake,
        long rxBytes,
        long txBytes,
        boolean relayHealthy,
        Instant shadowHandshake,
        long derpPacketsFromPeer,
        InetSocketAddress endpoint) {
    /** Without an endpoint reading. */
    public PathSample(
            Instant lastHandshake,
            long rxBytes,
            long txBytes,
            boolean relayHealthy,
            Instant shadowHandshake,
            long derpPacketsFromPeer) {
        this(lastHandshake, rxBytes, txBytes, relayHealthy, shadowHandshake, derpPacketsFromPeer, null);
    }

    public static PathSample of(Instant lastHandshake, long rx, long tx) {
        return new PathSample(lastHandshake, rx, tx, false, null, 0);
    }

    /** The same sample with the entry's current endpoint. */
    public PathSample withEndpoint(InetSocketAddress current) {
        return new PathSample(
                lastHandshake, rxBytes, txBytes, relayHealthy, shadowHandshake, derpPacketsFromPeer, current);
    }

    /** While {@link PeeringMethod#VIA_RELAY}: the relay's health and the shadow probe. */
    public static PathSample relayed(boolean relayHealthy, Instant shadowHandshake, long derpPacketsFromPeer) {
        return new PathSample(null, 0, 0, relayHealthy, shadowHandshake, derpPacketsFromPeer);
    }
}
