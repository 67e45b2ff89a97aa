package io.nexodus.stun;

import java.time.Duration;

/**
 * Retransmission and identity settings of a {@link StunClient} (RFC 8489 §6.2.1). A request is sent at 0, RTO, 3·RTO,
 * 7·RTO, … (the interval doubles), at most {@code maxRequests} times (Rc); after the last one the client waits
 * {@code lastWaitFactor}·RTO (Rm) — and never longer than {@code timeout} in total, which is what an agent usually
 * wants bounded.
 *
 * @param initialRto     first retransmission timeout (RFC 8489: at least 500 ms on unknown paths)
 * @param maxRequests    Rc, total sends of one request (RFC default 7)
 * @param lastWaitFactor Rm, multiple of the initial RTO to wait after the last send (RFC default 16)
 * @param timeout        hard bound on one transaction, sends included
 * @param software       SOFTWARE attribute of requests; empty for none
 */
public record StunClientConfig(
        Duration initialRto, int maxRequests, int lastWaitFactor, Duration timeout, String software) {
    public StunClientConfig {
        if (initialRto == null || initialRto.isNegative() || initialRto.isZero()) {
            throw new IllegalArgumentException("initialRto must be positive");
        }
        if (maxRequests < 1 || maxRequests > 32) {
            throw new IllegalArgumentException("maxRequests must be 1-32");
        }
        if (lastWaitFactor < 1) {
            throw new IllegalArgumentException("lastWaitFactor must be >= 1");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (software == null || StunEncoder.utf8Length(software) > Software.MAX_BYTES) {
            throw new IllegalArgumentException("software must be at most " + Software.MAX_BYTES + " UTF-8 bytes");
        }
    }

    /** RTO 500 ms, Rc 7, Rm 16 (RFC 8489), but at most 5 s per transaction: sends at 0, 0.5, 1.5 and 3.5 s. */
    public static StunClientConfig defaults() {
        return new StunClientConfig(Duration.ofMillis(500), 7, 16, Duration.ofSeconds(5), "nexodus");
    }

    public StunClientConfig withInitialRto(Duration rto) {
        return new StunClientConfig(rto, maxRequests, lastWaitFactor, timeout, software);
    }

    public StunClientConfig withMaxRequests(int rc) {
        return new StunClientConfig(initialRto, rc, lastWaitFactor, timeout, software);
    }

    public StunClientConfig withTimeout(Duration total) {
        return new StunClientConfig(initialRto, maxRequests, lastWaitFactor, total, software);
    }

    public StunClientConfig withSoftware(String name) {
        return new StunClientConfig(initialRto, maxRequests, lastWaitFactor, timeout, name);
    }
}
