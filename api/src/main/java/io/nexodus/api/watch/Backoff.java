package io.nexodus.api.watch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential reconnect delay with full jitter: random in [0, min(max, initial * 2^attempt)]. Not thread-safe. */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private int attempt;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max");
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
    }

    /** The delay before the next attempt; each call doubles the ceiling. */
    public Duration next() {
        long ceiling = attempt >= 30 ? maxMillis : Math.min(maxMillis, initialMillis << attempt);
        attempt++;
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }

    public void reset() {
        attempt = 0;
    }

    public int attempts() {
        return attempt;
    }
}
