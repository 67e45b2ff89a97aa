package io.nexodus.netstack;

import java.util.ArrayList;
import java.util.List;

/**
 * A hashed timer wheel driven by its caller: {@link #advance(long)} runs every timer whose deadline has passed.
 * Scheduling, rescheduling and cancelling are O(1) (a TCP connection moves its retransmission timer on every ACK).
 * A timer fires no earlier than its deadline and, when the caller advances at least every tick, no later than one
 * tick after it. Not thread-safe: the stack calls it with its lock held.
 */
final class TimerWheel {
    /** A reusable timer; {@link TimerWheel#schedule} arms or moves it. */
    static final class Timer {
        private final Runnable action;
        private long deadline;
        private Timer prev;
        private Timer next;
        private boolean armed;

        private Timer(Runnable action) {
            this.action = action;
        }

        boolean armed() {
            return armed;
        }

        long deadline() {
            return deadline;
        }
    }

    private final long tickNanos;
    private final Timer[] slots; // sentinel heads of circular lists
    private final int mask;
    private long currentTick;
    private int count;
    /** When the driving thread plans to call {@link #advance} next; an earlier timer calls {@link #onEarlier}. */
    private long plannedWakeup = Long.MAX_VALUE;

    private Runnable onEarlier = () -> {};

    TimerWheel(long tickNanos, int slotCount, long now) {
        if (Integer.bitCount(slotCount) != 1) {
            throw new IllegalArgumentException("slot count must be a power of two");
        }
        this.tickNanos = tickNanos;
        this.slots = new Timer[slotCount];
        for (int i = 0; i < slotCount; i++) {
            Timer head = new Timer(null);
            head.prev = head;
            head.next = head;
            slots[i] = head;
        }
        this.mask = slotCount - 1;
        this.currentTick = Math.floorDiv(now, tickNanos);
    }

    Timer newTimer(Runnable action) {
        return new Timer(action);
    }

    /** Arms {@code t} for {@code deadline} (nanoseconds on the stack's ticker), moving it if it was armed. */
    void schedule(Timer t, long deadline) {
        cancel(t);
        t.deadline = deadline;
        // the tick whose start is at or after the deadline, so that scanning it means the deadline has passed
        long tick = Math.max(Math.ceilDiv(deadline, tickNanos), currentTick + 1);
        Timer head = slots[(int) (tick & mask)];
        t.prev = head.prev;
        t.next = head;
        head.prev.next = t;
        head.prev = t;
        t.armed = true;
        count++;
        if (tick * tickNanos < plannedWakeup) {
            plannedWakeup = tick * tickNanos;
            onEarlier.run();
        }
    }

    /** Called whenever a timer is scheduled before the planned wake-up (the stack signals its timer thread). */
    void onEarlier(Runnable action) {
        this.onEarlier = action;
    }

    void cancel(Timer t) {
        if (t.armed) {
            t.prev.next = t.next;
            t.next.prev = t.prev;
            t.prev = null;
            t.next = null;
            t.armed = false;
            count--;
        }
    }

    int size() {
        return count;
    }

    /** Runs, in deadline order within each tick, every timer due at {@code now}; actions may schedule timers. */
    void advance(long now) {
        long target = Math.floorDiv(now, tickNanos);
        if (target <= currentTick) {
            return;
        }
        long from = currentTick + 1;
        long ticks = target - currentTick;
        currentTick = target; // timers scheduled by actions land after now
        int scan = (int) Math.min(ticks, slots.length);
        List<Timer> due = new ArrayList<>();
        for (int i = 0; i < scan; i++) {
            Timer head = slots[(int) ((from + i) & mask)];
            for (Timer t = head.next; t != head; ) {
                Timer next = t.next;
                if (t.deadline <= now) {
                    cancel(t);
                    due.add(t);
                }
                t = next;
            }
        }
        due.sort((a, b) -> Long.compare(a.deadline, b.deadline));
        for (Timer t : due) {
            t.action.run();
        }
    }

    /**
     * When the caller should next call {@link #advance}: the start of the first tick within one turn of the wheel
     * holding a due timer, or one turn from now if none (timers further out are found on a later turn).
     */
    long nextWakeup() {
        plannedWakeup = scanNextWakeup();
        return plannedWakeup;
    }

    private long scanNextWakeup() {
        for (int i = 1; i <= slots.length; i++) {
            long tick = currentTick + i;
            Timer head = slots[(int) (tick & mask)];
            for (Timer t = head.next; t != head; t = t.next) {
                if (t.deadline <= tick * tickNanos) {
                    return tick * tickNanos;
                }
            }
        }
        return (currentTick + slots.length) * tickNanos;
    }
}
