package io.nexodus.netstack;

/**
 * A fixed-capacity byte FIFO: a TCP connection's send buffer (bytes written and not yet acknowledged; {@link #peek}
 * reads any of them again for a retransmission) and its receive buffer (bytes in order, not yet read).
 */
final class ByteRing {
    private final byte[] data;
    private int head;
    private int size;

    ByteRing(int capacity) {
        data = new byte[capacity];
    }

    int size() {
        return size;
    }

    int capacity() {
        return data.length;
    }

    int free() {
        return data.length - size;
    }

    /** Appends up to {@link #free()} bytes; returns how many were taken. */
    int put(byte[] src, int off, int len) {
        int n = Math.min(len, free());
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
        int start = (head + offset) % data.length;
        int first = Math.min(len, data.length - start);
        System.arraycopy(data, start, out, 0, first);
        System.arraycopy(data, 0, out, first, len - first);
        return out;
    }

    /** Moves up to {@code len} bytes into {@code dst}; returns how many. */
    int take(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
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
        head = (head + n) % data.length;
        size -= n;
    }
}
