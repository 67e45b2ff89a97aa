package io.nexodus.wireguard.device;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Per-source token buckets for handshake messages while the device is under load (wireguard-go: 20 packets per
 * second, burst 5). Bounded: entries idle for a second are dropped, and past {@link #MAX_ENTRIES} sources new ones
 * are refused. Thread-safe.
 */
final class RateLimiter {
    static final int PACKETS_PER_SECOND = 20;
    static final int BURST = 5;
    static final int MAX_ENTRIES = 65536;
    private static final long NANOS_PER_PACKET = 1_000_000_000L / PACKETS_PER_SECOND;
    private static final long MAX_TOKENS = NANOS_PER_PACKET * BURST;
    private static final long GC_INTERVAL = 1_000_000_000L;

    private final Scheduler scheduler;
    private final Map<ByteBuffer, Bucket> buckets = new HashMap<>();
    private long lastGc;

    private static final class Bucket {
        long tokens;
        long last;
    }

    RateLimiter(Scheduler scheduler) {
        this.scheduler = scheduler;
        this.lastGc = scheduler.nanoTime();
    }

    synchronized boolean allow(byte[] sourceKey) {
        long now = scheduler.nanoTime();
        if (now - lastGc > GC_INTERVAL) {
            gc(now);
        }
        ByteBuffer key = ByteBuffer.wrap(sourceKey);
        Bucket b = buckets.get(key);
        if (b == null) {
            if (buckets.size() >= MAX_ENTRIES) {
                return false;
            }
            b = new Bucket();
            b.tokens = MAX_TOKENS - NANOS_PER_PACKET;
            b.last = now;
            buckets.put(ByteBuffer.wrap(sourceKey.clone()), b);
            return true;
        }
        b.tokens = Math.min(MAX_TOKENS, b.tokens + (now - b.last));
        b.last = now;
        if (b.tokens >= NANOS_PER_PACKET) {
            b.tokens -= NANOS_PER_PACKET;
            return true;
        }
        return false;
    }

    private void gc(long now) {
        lastGc = now;
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (now - it.next().last > GC_INTERVAL) {
                it.remove();
            }
        }
    }

    synchronized int size() {
        return buckets.size();
    }
}
