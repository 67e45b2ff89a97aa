package io.nexodus.wireguard.tun;

import io.nexodus.wireguard.bind.PacketBatch;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TUN that lives in memory: {@link #inject} queues an outgoing IP packet as if an application had sent it, and
 * {@link #poll(long)}/{@link #poll()} return what the device delivered. Both queues are bounded (packets beyond are dropped).
 * For tests and for devices created without a kernel interface.
 */
public final class MemoryTun implements Tun {
    /** Queued by {@link #close()} to wake a blocked reader, which then sees {@code closed}. */
    private static final byte[] WAKE_UP = new byte[0];

    private final String name;
    private final int mtu;
    private final BlockingQueue<byte[]> toDevice;
    private final BlockingQueue<byte[]> fromDevice;
    private volatile boolean closed;

    public MemoryTun(String name, int mtu, int queueCapacity) {
        this.name = name;
        this.mtu = mtu;
        this.toDevice = new ArrayBlockingQueue<>(queueCapacity + 1);
        this.fromDevice = new ArrayBlockingQueue<>(queueCapacity);
    }

    public MemoryTun(String name, int mtu) {
        this(name, mtu, 1024);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** Queues an IP packet for the device to send; false if the queue is full or the TUN is closed. */
    public boolean inject(byte[] ipPacket) {
        return !closed && toDevice.offer(ipPacket.clone());
    }

    /** The next packet the device delivered, waiting up to {@code timeoutMillis}; null on timeout. */
    public byte[] poll(long timeoutMillis) throws InterruptedException {
        return fromDevice.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** The next delivered packet, or null if none is queued. */
    public byte[] poll() {
        return fromDevice.poll();
    }

    @Override
    public int read(PacketBatch batch) {
        try {
            byte[] p = toDevice.take();
            int n = 0;
            while (true) {
                if (closed) { // set before WAKE_UP is queued, so WAKE_UP itself never gets past here
                    toDevice.offer(WAKE_UP);
                    if (n == 0) {
                        return -1;
                    }
                    batch.count(n);
                    return n;
                }
                put(batch, n++, p);
                if (n == batch.capacity() || (p = toDevice.poll()) == null) {
                    batch.count(n);
                    return n;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Takes queued packets without blocking (for tests that drive a device by hand); returns the count. */
    public int drainInto(PacketBatch batch) {
        int n = 0;
        byte[] p;
        while (n < batch.capacity() && (p = toDevice.poll()) != null && !closed) {
            put(batch, n++, p);
        }
        batch.count(n);
        return n;
    }

    private static void put(PacketBatch batch, int i, byte[] p) {
        System.arraycopy(p, 0, batch.buffer(i), PacketBatch.HEADROOM, p.length);
        batch.set(i, PacketBatch.HEADROOM, p.length, null);
    }

    @Override
    public void write(PacketBatch batch) {
        for (int i = 0; i < batch.count(); i++) {
            int len = batch.length(i);
            if (len > 0) {
                int off = batch.offset(i);
                fromDevice.offer(Arrays.copyOfRange(batch.buffer(i), off, off + len));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        toDevice.offer(WAKE_UP);
    }
}
