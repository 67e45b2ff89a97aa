package io.nexodus.nexd.peering;

import java.time.Instant;

/**
 * What the data plane says about a peer at one moment.
 *
 * @param lastHandshake   last completed handshake of the peer's WireGuard entry (null: none, or no entry)
 * @param rxBytes         bytes received from the entry (counters restart when the entry is re-created)
 * @param txBytes         bytes sent to the entry
 * @param relayHealthy    the WireGuard relay's own path is up (what a {@link PeeringMethod#VIA_RELAY} peer rides on)
 * @param shadowHandshake while relayed: last handshake of the shadow entry that probes the direct method
 */
public record PathSample(
        Instant lastHandshake, long rxBytes, long txBytes, boolean relayHealthy, Instant shadowHandshake) {
    public static PathSample of(Instant lastHandshake, long rx, long tx) {
        return new PathSample(lastHandshake, rx, tx, false, null);
    }
}
