package io.nexodus.netstack;

import java.time.Duration;

/** A ticker tests move by hand. */
final class ManualTicker implements Ticker {
    private long now = 1_000_000_000L;

    @Override
    public long nanos() {
        return now;
    }

    void advance(Duration d) {
        now += d.toNanos();
    }

    void advanceNanos(long n) {
        now += n;
    }
}
