package io.nexodus.derp.server;

import java.time.Clock;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, up to {@code burst}. Used for the accept-rate limit and the
 * PeerGone(NotHere) reply limit. Thread-safe. An infinite rate never limits.
 */
public final class TokenBucket {
    private final double ratePerSecond;
    private final double burst;
    private final Clock clock;
    private double tokens;
    private long lastMillis;

    public TokenBucket(double ratePerSecond, int burst, Clock clock) {
        if (ratePerSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("a token bucket needs a positive rate and a burst of at least 1");
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.clock = clock;
        this.tokens = burst;
        this.lastMillis = clock.millis();
    }

    /** Takes one token if there is one. */
    public synchronized boolean tryTake() {
        if (Double.isInfinite(ratePerSecond)) {
            return true;
        }
        long now = clock.millis();
        if (now > lastMillis) {
            tokens = Math.min(burst, tokens + (now - lastMillis) * ratePerSecond / 1000.0);
            lastMillis = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
