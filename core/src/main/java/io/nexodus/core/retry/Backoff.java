package io.nexodus.core.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with jitter, for reconnect loops. The ceiling for the n-th consecutive failure (n ≥ 1) is
 * {@code c(n) = min(max, initial × 2^(n-1))}; the delay is drawn from it by the {@link Jitter} each use chooses (see
 * "Exponential Backoff And Jitter", AWS Architecture Blog, 2015):
 *
 * <ul>
 *   <li>{@link Jitter#FULL}: uniform in [0, c(n)]. Spreads a crowd of clients over the whole window and has the
 *       shortest expected wait (c/2), but any one client may retry almost at once, failure after failure.
 *   <li>{@link Jitter#EQUAL}: uniform in [c(n)/2, c(n)]. Half the spread, but every retry waits at least half the
 *       ceiling, so each client's retry rate really falls as failures add up.
 * </ul>
 *
 * The random source is passed in, so tests pin the draws. Not thread-safe: one instance per reconnect loop.
 */
public final class Backoff {
    /** How a delay is drawn from the ceiling. */
    public enum Jitter {
        /** Uniform in [0, ceiling]. */
        FULL,
        /** Uniform in [ceiling / 2, ceiling]. */
        EQUAL
    }

    private final long initialMillis;
    private final long maxMillis;
    private final Jitter jitter;
    private final RandomGenerator random;
    private int failures;

    /**
     * @param initial the ceiling after the first failure (&gt; 0)
     * @param max the largest ceiling (&ge; initial)
     */
    public Backoff(Duration initial, Duration max, Jitter jitter, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.jitter = Objects.requireNonNull(jitter);
        this.random = Objects.requireNonNull(random);
    }

    /** The ceiling c(n) after {@code failures} (≥ 1; smaller counts as 1) consecutive failures. */
    public Duration ceiling(int failures) {
        return Duration.ofMillis(ceilingMillis(failures));
    }

    /** A delay drawn for the retry after {@code failures} consecutive failures; does not touch the counter. */
    public Duration delay(int failures) {
        long c = ceilingMillis(failures);
        long low = jitter == Jitter.FULL ? 0 : c / 2;
        return Duration.ofMillis(random.nextLong(low, c + 1));
    }

    /** Counts one more failure and returns the delay before the next attempt. */
    public Duration next() {
        if (failures < Integer.MAX_VALUE) {
            failures++;
        }
        return delay(failures);
    }

    /** Forgets the failures (after a success): the next delay is drawn from the initial ceiling again. */
    public void reset() {
        failures = 0;
    }

    /** The consecutive failures counted by {@link #next()} since the last {@link #reset()}. */
    public int failures() {
        return failures;
    }

    private long ceilingMillis(int failures) {
        int shift = Math.max(failures, 1) - 1;
        if (shift >= 62 || initialMillis > (maxMillis >> shift)) {
            return maxMillis;
        }
        return Math.min(maxMillis, initialMillis << shift);
    }
}
