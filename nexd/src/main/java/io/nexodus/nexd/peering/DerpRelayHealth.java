package io.nexodus.nexd.peering;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether an onboarded DERP relay is healthy: it is, until its connection has been down (or never came up) for longer
 * than {@code grace}. The grace lets a new relay connect before it is judged, and keeps a short reconnect from moving
 * every relayed peer. Not thread-safe: the reconcile thread owns it (connection states arrive as {@link #observe} calls
 * from there, the proxy's {@code connected} state sampled each tick).
 */
public final class DerpRelayHealth {
    private final Duration grace;
    private final Map<String, Instant> downSince = new HashMap<>();

    public DerpRelayHealth(Duration grace) {
        this.grace = grace;
    }

    /** Records the relay's connection state at {@code now}. */
    public void observe(String relayId, boolean connected, Instant now) {
        if (connected) {
            downSince.put(relayId, null);
        } else if (downSince.get(relayId) == null) {
            downSince.put(relayId, now);
        }
    }

    /** Healthy: never judged yet, connected, or down for at most {@code grace}. */
    public boolean healthy(String relayId, Instant now) {
        Instant since = downSince.get(relayId);
        return since == null || Duration.between(since, now).compareTo(grace) <= 0;
    }

    /** Forgets relays that are gone. */
    public void retain(java.util.Set<String> relayIds) {
        downSince.keySet().retainAll(relayIds);
    }
}
