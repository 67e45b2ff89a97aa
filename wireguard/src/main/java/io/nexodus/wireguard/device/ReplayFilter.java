package io.nexodus.wireguard.device;

/**
 * The sliding replay window for transport counters (RFC 6479 style, as in the kernel and wireguard-go): a ring of
 * 128 blocks of 64 bits, so a window of (128 - 1) * 64 = 8128 counters behind the highest seen. Checked after a packet
 * authenticated. Synchronized because more than one transport may deliver packets of the same session.
 */
final class ReplayFilter {
    static final int BLOCK_BITS = 64;
    static final int RING_BLOCKS = 128;
    static final long WINDOW = (RING_BLOCKS - 1) * BLOCK_BITS; // 8128

    private final long[] ring = new long[RING_BLOCKS];
    private long last;

    synchronized void reset() {
        last = 0;
        ring[0] = 0;
    }

    /** True if {@code counter} is new and inside the window; records it. {@code limit} is exclusive and unsigned. */
    synchronized boolean validate(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        long block = counter >>> 6;
        if (Long.compareUnsigned(counter, last) > 0) {
            long current = last >>> 6;
            long diff = block - current;
            if (diff > RING_BLOCKS) {
                diff = RING_BLOCKS;
            }
            for (long i = current + 1; i <= current + diff; i++) {
                ring[(int) (i & (RING_BLOCKS - 1))] = 0;
            }
            last = counter;
        } else if (Long.compareUnsigned(last - counter, WINDOW) > 0) {
            return false;
        }
        int index = (int) (block & (RING_BLOCKS - 1));
        long mask = 1L << (counter & 63);
        long old = ring[index];
        ring[index] = old | mask;
        return (old & mask) == 0;
    }
}
