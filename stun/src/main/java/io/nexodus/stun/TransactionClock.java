package io.nexodus.stun;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The time a {@link StunClient} transaction runs on; tests substitute a virtual clock that never sleeps. */
interface TransactionClock {
    long nanoTime();

    /** Waits until {@code f} is done or {@link #nanoTime()} reaches {@code deadline}; true if {@code f} is done. */
    boolean await(CompletableFuture<?> f, long deadline) throws InterruptedException;

    TransactionClock SYSTEM = new TransactionClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public boolean await(CompletableFuture<?> f, long deadline) throws InterruptedException {
            long wait = deadline - System.nanoTime();
            if (f.isDone() || wait <= 0) {
                return f.isDone();
            }
            try {
                f.get(wait, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException | CancellationException e) {
                return true;
            }
            return true;
        }
    };
}
