package io.nexodus.derp.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential from {@code min}, capped at {@code max}, each multiplied by a random factor in
 * [0.5, 1.5) so many clients of a restarted server do not come back in lockstep.
 */
public final class Backoff {
    private final long minMillis;
    private final long maxMillis;
    private final RandomGenerator random;

    public Backoff(Duration min, Duration max, RandomGenerator random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < min <= max");
        }
        this.minMillis = min.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The delay before attempt {@code failures} + 1, after {@code failures} (≥ 1) consecutive failures. */
    public Duration delay(int failures) {
        int shift = Math.min(Math.max(failures, 1) - 1, 30);
        long base = Math.min(maxMillis, minMillis << shift);
        if (base <= 0) {
            base = maxMillis;
        }
        double factor = 0.5 + random.nextDouble();
        return Duration.ofMillis(Math.max(1, (long) (base * factor)));
    }
}
