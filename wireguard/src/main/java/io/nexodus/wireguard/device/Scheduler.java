package io.nexodus.wireguard.device;

import java.time.Instant;

/**
 * Time for the device: a monotonic clock for timers and session ages, a wall clock for TAI64N timestamps and the
 * last-handshake time that UAPI reports, and one-shot scheduling. {@link SystemScheduler} is the real one; tests use
 * a manual one and advance time by hand, so no timer test sleeps.
 */
public interface Scheduler {
    /** Monotonic nanoseconds (like {@link System#nanoTime()}). */
    long nanoTime();

    /** The wall-clock time. */
    Instant now();

    /** Runs {@code task} once after {@code delayNanos}; the returned handle cancels it. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** A scheduled task that can be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
