package io.nexodus.packetfilter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

/**
 * The connection-tracking table: a fixed-size open-addressing hash table (linear probing, backward-shift deletion, no
 * tombstones) split into segments, each with its own {@link StampedLock}. Nothing is allocated after construction.
 * <p>
 * Layout: each slot is 8 longs in one array (one cache line): the key (5 words, see {@link FlowKey}), the time of the
 * last packet, the meta ({@link FlowState}) and the key's hash. A slot is free when its meta is 0. Each segment holds
 * at most half as many flows as it has slots, so probe runs stay short.
 * <p>
 * Concurrency: packet threads look flows up with an optimistic read (no write to shared memory, no CAS) and validate
 * the stamp afterwards; they refresh an established flow's last-seen time with an opaque write (benign if it races: a
 * concurrent writer only ever moves or frees slots, and the caller re-validates). Every other change holds the
 * segment's write lock. A segment is a {@code capacity / segments} share of the table: the size limit is enforced
 * per segment, and the hash is keyed with a random seed so a peer cannot aim its flows at one segment.
 * <p>
 * When a segment is full, a new flow first triggers a sweep of expired flows (only when one can have expired), then
 * evicts the least recently seen flow that is not established among the {@link #EVICTION_SCAN} slots from its home
 * slot; if all of those are established the new flow is refused (the caller drops the packet and counts it).
 */
final class FlowTable {
    static final int STRIDE = 8;
    static final int LAST_SEEN = 5;
    static final int META = 6;
    static final int HASH = 7;
    static final int EVICTION_SCAN = 64;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    final Segment[] segments;
    private final int segmentMask;
    private final long[] timeoutByState;
    final int capacity;

    static final class Segment {
        final StampedLock lock = new StampedLock();
        final long[] slots;
        final int slotMask;
        final int capacity;
        int count; // guarded by lock (write)
        long earliestExpiry; // a lower bound on the expiry of every flow here; valid when count > 0

        Segment(int capacity) {
            this.capacity = capacity;
            int slotsWanted = Integer.highestOneBit(Math.max(2, capacity * 2 - 1)) << 1;
            this.slots = new long[slotsWanted * STRIDE];
            this.slotMask = slotsWanted - 1;
        }
    }

    FlowTable(int capacity, Timeouts timeouts) {
        if (capacity < 1 || capacity > (1 << 24)) {
            throw new IllegalArgumentException("capacity must be 1..16777216, got " + capacity);
        }
        int wanted = Math.max(1, Math.min(64, capacity / 256));
        int n = Integer.highestOneBit(wanted);
        this.segments = new Segment[n];
        for (int i = 0; i < n; i++) {
            segments[i] = new Segment(capacity / n + (i < capacity % n ? 1 : 0));
        }
        this.segmentMask = n - 1;
        this.capacity = capacity;
        this.timeoutByState = timeouts.byState();
    }

    Segment segment(long hash) {
        return segments[(int) (hash >>> 40) & segmentMask];
    }

    /** The slot index holding {@code k}, or -1. Safe under an optimistic read: bounded, never out of range. */
    static int find(Segment s, FlowKey k) {
        long[] a = s.slots;
        int mask = s.slotMask;
        int i = (int) k.hash & mask;
        for (int probes = 0; probes <= mask; probes++) {
            int base = i * STRIDE;
            long meta = a[base + META];
            if (meta == 0) {
                return -1;
            }
            if (a[base + HASH] == k.hash
                    && a[base] == k.k0
                    && a[base + 1] == k.k1
                    && a[base + 2] == k.k2
                    && a[base + 3] == k.k3
                    && a[base + 4] == k.k4) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    static long meta(Segment s, int slot) {
        return s.slots[slot * STRIDE + META];
    }

    static long lastSeen(Segment s, int slot) {
        return s.slots[slot * STRIDE + LAST_SEEN];
    }

    /** Refreshes the last-seen time from a packet thread without the lock (see the class comment). */
    static void touch(Segment s, int slot, long now) {
        LONGS.setOpaque(s.slots, slot * STRIDE + LAST_SEEN, now);
    }

    long timeout(long meta) {
        return timeoutByState[FlowState.state(meta)];
    }

    boolean expired(long meta, long lastSeen, long now) {
        return now - lastSeen > timeoutByState[FlowState.state(meta)];
    }

    /** Updates a flow's meta and last-seen time. Write lock held. */
    void update(Segment s, int slot, long meta, long now) {
        int base = slot * STRIDE;
        s.slots[base + META] = meta;
        s.slots[base + LAST_SEEN] = now;
        noteExpiry(s, now + timeout(meta));
    }

    private static void noteExpiry(Segment s, long expiry) {
        if (s.count <= 1 || expiry - s.earliestExpiry < 0) {
            s.earliestExpiry = expiry;
        }
    }

    /** Outcome of {@link #insert}. */
    static final int INSERTED = 0;

    static final int INSERTED_AFTER_EVICTION = 1;
    static final int FULL = 2;

    /** Adds a flow that is not in the table. Write lock held. */
    int insert(Segment s, FlowKey k, long meta, long now) {
        int result = INSERTED;
        if (s.count >= s.capacity) {
            if (now - s.earliestExpiry >= 0) {
                sweep(s, now);
            }
            if (s.count >= s.capacity) {
                if (!evictOne(s, (int) k.hash & s.slotMask)) {
                    return FULL;
                }
                result = INSERTED_AFTER_EVICTION;
            }
        }
        long[] a = s.slots;
        int i = (int) k.hash & s.slotMask;
        while (a[i * STRIDE + META] != 0) {
            i = (i + 1) & s.slotMask;
        }
        int base = i * STRIDE;
        a[base] = k.k0;
        a[base + 1] = k.k1;
        a[base + 2] = k.k2;
        a[base + 3] = k.k3;
        a[base + 4] = k.k4;
        a[base + LAST_SEEN] = now;
        a[base + HASH] = k.hash;
        a[base + META] = meta;
        s.count++;
        noteExpiry(s, now + timeout(meta));
        return result;
    }

    /** Evicts the least recently seen non-established flow near {@code home}; false if there is none. */
    private boolean evictOne(Segment s, int home) {
        long[] a = s.slots;
        int victim = -1;
        long oldest = 0;
        int i = home;
        for (int n = 0; n < EVICTION_SCAN && n <= s.slotMask; n++) {
            int base = i * STRIDE;
            long meta = a[base + META];
            if (meta != 0 && !FlowState.established(meta)) {
                long seen = a[base + LAST_SEEN];
                if (victim < 0 || seen - oldest < 0) {
                    victim = i;
                    oldest = seen;
                }
            }
            i = (i + 1) & s.slotMask;
        }
        if (victim < 0) {
            return false;
        }
        removeAt(s, victim);
        return true;
    }

    /** Removes every expired flow of the segment and recomputes its earliest expiry. Write lock held. */
    int sweep(Segment s, long now) {
        long[] a = s.slots;
        int removed = 0;
        boolean any = false;
        long earliest = 0;
        for (int i = 0; i <= s.slotMask; ) {
            int base = i * STRIDE;
            long meta = a[base + META];
            if (meta != 0 && expired(meta, a[base + LAST_SEEN], now)) {
                removeAt(s, i); // a later flow may move into slot i: look at it again
                removed++;
                continue;
            }
            if (meta != 0) {
                long expiry = a[base + LAST_SEEN] + timeout(meta);
                if (!any || expiry - earliest < 0) {
                    earliest = expiry;
                    any = true;
                }
            }
            i++;
        }
        s.earliestExpiry = earliest;
        return removed;
    }

    /** Frees slot {@code i}, shifting later members of its probe run back so lookups never stop early. */
    static void removeAt(Segment s, int i) {
        long[] a = s.slots;
        int mask = s.slotMask;
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int base = j * STRIDE;
            if (a[base + META] == 0) {
                break;
            }
            int home = (int) a[base + HASH] & mask;
            // move j into the hole unless its home lies cyclically in (hole, j]
            boolean homeInRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!homeInRange) {
                System.arraycopy(a, base, a, hole * STRIDE, STRIDE);
                hole = j;
            }
        }
        int base = hole * STRIDE;
        a[base + META] = 0;
        for (int w = 0; w < STRIDE; w++) {
            if (w != META) {
                a[base + w] = 0;
            }
        }
        s.count--;
    }

    /** The number of flows in the table (a sum over segments; exact only when no packet thread runs). */
    int size() {
        int n = 0;
        for (Segment s : segments) {
            long stamp = s.lock.readLock();
            try {
                n += s.count;
            } finally {
                s.lock.unlockRead(stamp);
            }
        }
        return n;
    }

    /** Removes all flows. */
    void clear() {
        for (Segment s : segments) {
            long stamp = s.lock.writeLock();
            try {
                Arrays.fill(s.slots, 0);
                s.count = 0;
            } finally {
                s.lock.unlockWrite(stamp);
            }
        }
    }
}
