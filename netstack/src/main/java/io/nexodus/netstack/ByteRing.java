package io.nexodus.netstack;

/**
 * A fixed-capacity byte FIFO: a TCP connection's send buffer (bytes written and not yet acknowledged; {@link #peek}
 * reads any of them again for a retransmission) and its receive buffer (bytes in order, not yet read). The array is
 * allocated on the first byte and released when the ring is emptied by {@link #release}, so half-open and idle
 * connections cost no buffer memory.
 */
final class ByteRing {
    private static final byte[] NONE = new byte[0];

    private final int capacity;
    private byte[] data = NONE;
    private int head;
    private int size;

    ByteRing(int capacity) {
        this.capacity = capacity;
    }

    int size() {
        return size;
    }

    int capacity() {
        return capacity;
    }

    int free() {
        return capacity - size;
    }

    /** Drops the array while the ring is empty (it comes back on the next {@link #put}). */
    void release() {
        if (size == 0) {
            data = NONE;
            head = 0;
        }
    }

    /** Appends up to {@link #free()} bytes; returns how many were taken. */
    int put(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        if (n == 0) {
            return 0;
        }
        if (data.length == 0) {
            data = new byte[capacity];
        }
        int tail = (head + size) % data.length;
        int first = Math.min(n, data.length - tail);
        System.arraycopy(src, off, data, tail, first);
        System.arraycopy(src, off + first, data, 0, n - first);
        size += n;
        return n;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes after the head, without removing them. */
    byte[] peek(int offset, int len) {
        if (offset < 0 || len < 0 || offset + len > size) {
            throw new IndexOutOfBoundsException(offset + "+" + len + " of " + size);
        }
        byte[] out = new byte[len];
        if (len == 0) {
            return out;
        }
        int start = (head + offset) % data.length;
        int first = Math.min(len, data.length - start);
        System.arraycopy(data, start, out, 0, first);
        System.arraycopy(data, 0, out, first, len - first);
        return out;
    }

    /** Moves up to {@code len} bytes into {@code dst}; returns how many. */
    int take(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        if (n == 0) {
            return 0;
        }
        int first = Math.min(n, data.length - head);
        System.arraycopy(data, head, dst, off, first);
        System.arraycopy(data, 0, dst, off + first, n - first);
        skip(n);
        return n;
    }

    void skip(int n) {
        if (n < 0 || n > size) {
            throw new IndexOutOfBoundsException(n + " of " + size);
        }
        if (n == 0) {
            return;
        }
        head = (head + n) % data.length;
        size -= n;
    }
}
