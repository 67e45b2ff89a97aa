package io.nexodus.wireguard.device;

/**
 * A one-shot timer with the semantics wireguard-go's timers need: {@link #mod} (re)arms it, {@link #del} disarms it,
 * {@link #isPending} says whether it will fire. Re-arming later than the scheduled task only moves a deadline (the
 * task reschedules itself when it wakes early), so the per-packet persistent-keepalive re-arm costs a lock and a
 * field write, not a scheduler operation.
 */
final class Timer {
    private final Scheduler scheduler;
    private final Runnable action;
    private long deadline;
    private boolean pending;
    private Scheduler.Cancellable scheduled;
    private long scheduledFor;
    private volatile boolean pendingView;
    private boolean stopped;
    private long generation;

    Timer(Scheduler scheduler, Runnable action) {
        this.scheduler = scheduler;
        this.action = action;
    }

    void mod(long delayNanos) {
        long d = scheduler.nanoTime() + delayNanos;
        synchronized (this) {
            if (stopped) {
                return;
            }
            deadline = d;
            pending = true;
            pendingView = true;
            if (scheduled == null || scheduledFor - d > 0) {
                if (scheduled != null) {
                    scheduled.cancel();
                }
                arm(d);
            }
        }
    }

    void del() {
        if (!pendingView) {
            return;
        }
        synchronized (this) {
            pending = false;
            pendingView = false;
        }
    }

    boolean isPending() {
        return pendingView;
    }

    /** Disarms for good (peer removed or device closed). */
    synchronized void stop() {
        stopped = true;
        generation++;
        pending = false;
        pendingView = false;
        if (scheduled != null) {
            scheduled.cancel();
            scheduled = null;
        }
    }

    private void arm(long at) {
        scheduledFor = at;
        long gen = ++generation;
        scheduled = scheduler.schedule(() -> fire(gen), at - scheduler.nanoTime());
    }

    private void fire(long gen) {
        synchronized (this) {
            if (gen != generation) {
                return; // a task that was replaced but could not be cancelled in time
            }
            scheduled = null;
            if (!pending || stopped) {
                return;
            }
            long now = scheduler.nanoTime();
            if (deadline - now > 0) {
                arm(deadline);
                return;
            }
            pending = false;
            pendingView = false;
        }
        action.run();
    }
}
