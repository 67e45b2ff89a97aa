package io.nexodus.netstack;

/**
 * The stack's time source: monotonic nanoseconds, like {@link System#nanoTime()}. Injected so that every timer
 * (retransmission, persist, keepalive, TIME_WAIT) can be driven by a manual clock in tests.
 */
@FunctionalInterface
public interface Ticker {
    long nanos();

    static Ticker system() {
        return System::nanoTime;
    }
}
