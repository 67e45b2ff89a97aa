package io.nexodus.wireguard.bind;

import java.lang.foreign.MemorySegment;

/**
 * A reusable batch of packets on the data path: heap buffers (the JDK's ChaCha20-Poly1305 works in place and without
 * copies only on heap arrays), each with an offset, a length and an endpoint. Allocated once per packet thread, never
 * per packet. A batch is confined to one thread at a time.
 */
public final class PacketBatch {
    /** Room in front of an IP packet for the 16-byte transport header, so encryption happens in place. */
    public static final int HEADROOM = 16;

    private final byte[][] buffers;
    private final MemorySegment[] segments;
    private final int[] offsets;
    private final int[] lengths;
    private final Endpoint[] endpoints;
    private int count;
    private Object transportState;
    private Object deviceState;

    public PacketBatch(int maxPackets, int bufferSize) {
        buffers = new byte[maxPackets][];
        segments = new MemorySegment[maxPackets];
        for (int i = 0; i < maxPackets; i++) {
            buffers[i] = new byte[bufferSize];
            segments[i] = MemorySegment.ofArray(buffers[i]);
        }
        offsets = new int[maxPackets];
        lengths = new int[maxPackets];
        endpoints = new Endpoint[maxPackets];
    }

    public int capacity() {
        return buffers.length;
    }

    public int bufferSize() {
        return buffers[0].length;
    }

    public int count() {
        return count;
    }

    public void count(int n) {
        if (n < 0 || n > buffers.length) {
            throw new IllegalArgumentException("count " + n + " outside 0.." + buffers.length);
        }
        count = n;
    }

    public byte[] buffer(int i) {
        return buffers[i];
    }

    /** The whole buffer {@code i} as a heap segment (for critical FFM calls). */
    public MemorySegment segment(int i) {
        return segments[i];
    }

    /**
     * Puts {@code replacement} (same length) in place of buffer {@code i} and returns the old one: a zero-copy way for
     * a TUN to keep a received super-packet while it fills the slots with segments.
     */
    public byte[] exchangeBuffer(int i, byte[] replacement) {
        if (replacement.length != buffers[i].length) {
            throw new IllegalArgumentException("replacement buffer must have the same size");
        }
        byte[] old = buffers[i];
        buffers[i] = replacement;
        segments[i] = MemorySegment.ofArray(replacement);
        return old;
    }

    public int offset(int i) {
        return offsets[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    public Endpoint endpoint(int i) {
        return endpoints[i];
    }

    public void set(int i, int offset, int length, Endpoint endpoint) {
        offsets[i] = offset;
        lengths[i] = length;
        endpoints[i] = endpoint;
    }

    /** Marks packet {@code i} as not to be sent or written. */
    public void drop(int i) {
        lengths[i] = 0;
        endpoints[i] = null;
    }

    /**
     * Per-batch scratch state a transport may attach (for example native msghdr arrays for sendmmsg), so that a
     * thread's batch carries its own and sending needs no allocation or lock.
     */
    public Object transportState() {
        return transportState;
    }

    public void transportState(Object state) {
        transportState = state;
    }

    /**
     * Per-batch scratch state the device that processes the batch may attach (the keys, counters and results of its
     * crypto step), next to the transport's own: allocated once per batch, never per packet.
     */
    public Object deviceState() {
        return deviceState;
    }

    public void deviceState(Object state) {
        deviceState = state;
    }
}
