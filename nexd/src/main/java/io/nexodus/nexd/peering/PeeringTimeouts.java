package io.nexodus.nexd.peering;

import java.time.Duration;
import java.util.List;

/**
 * The clock of {@link PeerPath}: how long a method may take to come up, how long a silent path counts as alive, and
 * how eagerly a better method is retried. Defaults suit real networks (persistent keepalive every 20 s on both ends, so
 * a healthy path hears from the peer at least every ~20 s); tests shorten them with nexd's hidden flags.
 *
 * @param keepalive        WireGuard persistent keepalive on every peer entry
 * @param upTimeout        a method with no completed handshake after this has failed (upstream: 30 s)
 * @param downTimeout      a method that came up and then heard nothing from the peer for this long has failed
 *                         (upstream: 180 s after the last handshake; with 20 s keepalives, 45 s means two missed)
 * @param suspectAfter     we sent data but heard nothing back for this long: re-check our NAT mapping with STUN now
 * @param probeInterval    while relayed after a direct method failed, retry the direct handshake this often
 *                         (a shadow entry without allowed IPs, so relayed traffic is not disturbed)
 * @param retryFailedAfter a failed method that cannot be probed without disturbing traffic is retried after this
 * @param initialKicks     while a new method has no handshake yet, restart it at these offsets (WireGuard itself
 *                         retries only every 5 s; a peer that learned of us a moment later than we of it would
 *                         otherwise cost those 5 s)
 */
public record PeeringTimeouts(
        Duration keepalive,
        Duration upTimeout,
        Duration downTimeout,
        Duration suspectAfter,
        Duration probeInterval,
        Duration retryFailedAfter,
        List<Duration> initialKicks) {

    public static final PeeringTimeouts DEFAULT = new PeeringTimeouts(
            Duration.ofSeconds(20),
            Duration.ofSeconds(20),
            Duration.ofSeconds(45),
            Duration.ofSeconds(2),
            Duration.ofSeconds(30),
            Duration.ofMinutes(3),
            List.of(Duration.ofMillis(1000), Duration.ofMillis(2500)));

    public PeeringTimeouts {
        initialKicks = List.copyOf(initialKicks);
        for (Duration d :
                new Duration[] {keepalive, upTimeout, downTimeout, suspectAfter, probeInterval, retryFailedAfter}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("peering timeouts must be positive");
            }
        }
        if (keepalive.toSeconds() < 1 || keepalive.toSeconds() > 65535) {
            throw new IllegalArgumentException("keepalive must be 1..65535 seconds");
        }
    }

    public PeeringTimeouts withUpTimeout(Duration d) {
        return new PeeringTimeouts(
                keepalive, d, downTimeout, suspectAfter, probeInterval, retryFailedAfter, initialKicks);
    }

    public PeeringTimeouts withDownTimeout(Duration d) {
        return new PeeringTimeouts(
                keepalive, upTimeout, d, suspectAfter, probeInterval, retryFailedAfter, initialKicks);
    }

    public PeeringTimeouts withKeepalive(Duration d) {
        return new PeeringTimeouts(
                d, upTimeout, downTimeout, suspectAfter, probeInterval, retryFailedAfter, initialKicks);
    }

    public PeeringTimeouts withSuspectAfter(Duration d) {
        return new PeeringTimeouts(keepalive, upTimeout, downTimeout, d, probeInterval, retryFailedAfter, initialKicks);
    }

    public PeeringTimeouts withProbeInterval(Duration d) {
        return new PeeringTimeouts(keepalive, upTimeout, downTimeout, suspectAfter, d, retryFailedAfter, initialKicks);
    }

    public PeeringTimeouts withRetryFailedAfter(Duration d) {
        return new PeeringTimeouts(keepalive, upTimeout, downTimeout, suspectAfter, probeInterval, d, initialKicks);
    }
}
