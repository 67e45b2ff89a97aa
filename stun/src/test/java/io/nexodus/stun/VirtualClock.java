package io.nexodus.stun;

import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/** A {@link TransactionClock} for tests: time moves only when a transaction waits, and events fire in time order. */
final class VirtualClock implements TransactionClock {
    private record Event(long at, long seq, Runnable action) {}

    private final PriorityQueue<Event> events =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long now = 1_000_000_000L;
    private long seq;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    /** Runs {@code action} when virtual time reaches now + {@code delayNanos}. */
    synchronized void after(long delayNanos, Runnable action) {
        events.add(new Event(now + delayNanos, seq++, action));
    }

    @Override
    public boolean await(CompletableFuture<?> f, long deadline) {
        while (true) {
            Event next;
            synchronized (this) {
                if (f.isDone()) {
                    return true;
                }
                next = events.peek();
                if (next == null || next.at > deadline) {
                    now = Math.max(now, deadline);
                    return false;
                }
                events.poll();
                now = Math.max(now, next.at);
            }
            next.action.run();
        }
    }
}
