package io.nexodus.netstack;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Out-of-order TCP data waiting for the hole before it to fill, keyed by stream offset (bytes since the first data
 * byte, as a long so it never wraps). Bounded by a byte budget: data beyond it is dropped (the sender retransmits).
 */
final class Reassembly {
    private final TreeMap<Long, byte[]> pieces = new TreeMap<>();
    private final int budget;
    private int bytes;

    Reassembly(int budget) {
        this.budget = budget;
    }

    /** Stores {@code data} at stream offset {@code offset}; false if it did not fit the budget. */
    boolean add(long offset, byte[] data) {
        byte[] old = pieces.get(offset);
        if (old != null && old.length >= data.length) {
            return true;
        }
        int extra = data.length - (old == null ? 0 : old.length);
        if (bytes + extra > budget) {
            return false;
        }
        pieces.put(offset, data);
        bytes += extra;
        return true;
    }

    /**
     * Removes the pieces that start at or before {@code next} and returns the bytes of the first that reaches past
     * it, trimmed to start at {@code next}; null if none does.
     */
    byte[] takeAt(long next) {
        while (!pieces.isEmpty() && pieces.firstKey() <= next) {
            Map.Entry<Long, byte[]> e = pieces.pollFirstEntry();
            bytes -= e.getValue().length;
            long end = e.getKey() + e.getValue().length;
            if (end > next) {
                int skip = (int) (next - e.getKey());
                byte[] v = e.getValue();
                return skip == 0 ? v : Arrays.copyOfRange(v, skip, v.length);
            }
        }
        return null;
    }

    boolean isEmpty() {
        return pieces.isEmpty();
    }

    int bytes() {
        return bytes;
    }

    void clear() {
        pieces.clear();
        bytes = 0;
    }
}
