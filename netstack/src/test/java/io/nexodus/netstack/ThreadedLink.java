package io.nexodus.netstack;

import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A lossy in-memory link in real time: the sink of one stack queues packets (bounded; full means dropped) and a
 * platform thread delivers them to the other stack's {@link NetStack#input}, as a WireGuard device's receive thread
 * would. Loss, duplication and reordering (a packet held back until the next one passed it) are random.
 */
final class ThreadedLink implements AutoCloseable {
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(4096);
    private final SplittableRandom random;
    private final double loss;
    private final double duplicate;
    private final double reorder;
    private final Thread thread;
    private byte[] held; // guarded by the sending stack's lock (the sink is called with it held)
    private volatile boolean closed;

    ThreadedLink(long seed, double loss, double duplicate, double reorder, Supplier<NetStack> to) {
        this.random = new SplittableRandom(seed);
        this.loss = loss;
        this.duplicate = duplicate;
        this.reorder = reorder;
        this.thread = Thread.ofPlatform().daemon().name("link").start(() -> {
            while (!closed) {
                try {
                    byte[] p = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (p != null) {
                        to.get().input(p, 0, p.length);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The sending stack's sink. */
    void send(byte[] p) {
        if (random.nextDouble() < loss) {
            return;
        }
        if (held == null && random.nextDouble() < reorder) {
            held = p;
            return;
        }
        queue.offer(p);
        if (held != null) {
            queue.offer(held);
            held = null;
        }
        if (random.nextDouble() < duplicate) {
            queue.offer(p);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
