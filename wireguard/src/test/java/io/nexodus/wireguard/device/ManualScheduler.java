package io.nexodus.wireguard.device;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/** A scheduler whose time moves only when a test calls {@link #advance}; due tasks run on the calling thread. */
final class ManualScheduler implements Scheduler {
    private record Task(long due, long seq, Runnable body, AtomicBoolean cancelled) {}

    private final PriorityQueue<Task> tasks =
            new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private final Instant epoch;
    private long now = 1_000_000_000L;
    private long seq;
    private Runnable afterEachTask = () -> {};

    /** Runs after every task, e.g. to deliver what the task sent, so the network looks instantaneous. */
    void afterEachTask(Runnable r) {
        afterEachTask = r;
    }

    ManualScheduler(Instant wallClockStart) {
        this.epoch = wallClockStart;
    }

    ManualScheduler() {
        this(Instant.parse("2026-11-23T10:00:00Z"));
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Instant now() {
        return epoch.plusNanos(now);
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        AtomicBoolean cancelled = new AtomicBoolean();
        tasks.add(new Task(now + Math.max(0, delayNanos), seq++, task, cancelled));
        return () -> {
            synchronized (ManualScheduler.this) {
                cancelled.set(true);
            }
        };
    }

    /** Moves time forward by {@code d}, running every task that falls due, in order, at its due time. */
    void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        while (true) {
            Task t;
            synchronized (this) {
                t = tasks.peek();
                if (t == null || t.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = Math.max(now, t.due);
                if (t.cancelled.get()) {
                    continue;
                }
            }
            t.body.run();
            afterEachTask.run();
        }
    }

    synchronized int pending() {
        return (int) tasks.stream().filter(t -> !t.cancelled.get()).count();
    }
}
