package io.nexodus.server.watch;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Wakes one parked watch stream; wakes coalesce (at most one pending). */
final class Waker {
    private final Semaphore permit = new Semaphore(0);

    void wake() {
        if (permit.availablePermits() == 0) {
            permit.release();
        }
    }

    /** Parks up to {@code millis}; true if woken. */
    boolean await(long millis) throws InterruptedException {
        boolean woken = permit.tryAcquire(millis, TimeUnit.MILLISECONDS);
        permit.drainPermits();
        return woken;
    }
}
