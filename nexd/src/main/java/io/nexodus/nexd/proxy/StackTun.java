package io.nexodus.nexd.proxy;

import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.NetStackConfig;
import io.nexodus.netstack.PacketSink;
import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.tun.Tun;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WireGuard device's interface for {@code nexd proxy}: instead of a kernel TUN, a userspace TCP/IP stack
 * ({@link NetStack}). Packets the device decrypted ({@link #write}) go into the stack; packets the stack sends go
 * through a bounded queue to the device's reader ({@link #read}), which encrypts them for the peer whose allowed IPs
 * hold the destination.
 * <p>
 * The stack's addresses are the device's tunnel addresses, known only after registration, while the device must run
 * before (STUN shares its socket): so the stack is attached later ({@link #attach}), and replaced when the service
 * gives other addresses. Until then packets from peers are dropped and counted.
 * <p>
 * Threads: {@link #write} runs on the device's receive threads, {@link #read} on its TUN reader, the sink on whichever
 * thread made the stack send (with the stack's lock held: it only offers to the queue and never blocks). A full queue
 * drops the packet and counts it; TCP retransmits.
 */
public final class StackTun implements Tun, PacketSink {
    /** Queued by {@link #close()} to wake a blocked reader. */
    private static final byte[] WAKE_UP = new byte[0];

    private final String name;
    private final int mtu;
    private final BlockingQueue<byte[]> toDevice;
    private final AtomicLong queueFullDrops = new AtomicLong();
    private final AtomicLong noStackDrops = new AtomicLong();
    private volatile NetStack stack;
    private volatile boolean closed;

    /**
     * @param queueCapacity packets the stack may have queued for the device; beyond, they are dropped
     */
    public StackTun(String name, int mtu, int queueCapacity) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be positive");
        }
        this.name = name;
        this.mtu = mtu;
        this.toDevice = new ArrayBlockingQueue<>(queueCapacity + 1); // + 1: room for WAKE_UP
    }

    /**
     * Creates a stack with {@code config} that sends through this TUN, starts its timers and attaches it in place of
     * the previous one (which is closed: its connections are reset). Returns the new stack.
     */
    public synchronized NetStack attach(NetStackConfig config) {
        if (closed) {
            throw new IllegalStateException("the interface is closed");
        }
        NetStack s = new NetStack(config, this);
        s.start();
        NetStack old = stack;
        stack = s;
        if (old != null) {
            old.close();
        }
        return s;
    }

    /** The stack packets from peers go to; null before {@link #attach}. */
    public NetStack stack() {
        return stack;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** The stack's outgoing packets (the {@link PacketSink}): queued for the device, dropped when the queue is full. */
    @Override
    public void send(byte[] packet) {
        // the last slot stays free for WAKE_UP (senders are serialised by the stack's lock)
        if (closed
                || packet.length == 0
                || packet.length > mtu
                || toDevice.remainingCapacity() <= 1
                || !toDevice.offer(packet)) {
            queueFullDrops.incrementAndGet();
        }
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
                System.arraycopy(p, 0, batch.buffer(n), PacketBatch.HEADROOM, p.length);
                batch.set(n, PacketBatch.HEADROOM, p.length, null);
                n++;
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

    @Override
    public void write(PacketBatch batch) {
        NetStack s = stack;
        for (int i = 0; i < batch.count(); i++) {
            int len = batch.length(i);
            if (len <= 0) {
                continue;
            }
            if (s == null) {
                noStackDrops.incrementAndGet();
            } else {
                s.input(batch.buffer(i), batch.offset(i), len);
            }
        }
    }

    /** Packets of the stack dropped because the device's queue was full (or the TUN closed). */
    public long queueFullDrops() {
        return queueFullDrops.get();
    }

    /** Packets from peers dropped because no stack was attached yet. */
    public long noStackDrops() {
        return noStackDrops.get();
    }

    /** Closes the stack (resetting its connections) and wakes a blocked {@link #read}, which returns -1. */
    @Override
    public void close() {
        NetStack s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = stack;
        }
        if (s != null) {
            s.close();
        }
        toDevice.clear();
        toDevice.offer(WAKE_UP);
    }
}
