package io.nexodus.wireguard.device;

import io.nexodus.wireguard.crypto.TransportCipher;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the crypto of a batch across the calling thread and a few worker threads, and returns when all of it is done,
 * so the caller releases the batch in its original order (per-peer order is the batch order). With no workers the
 * caller does everything inline, which is best when there are no spare cores (the 2-vCPU benchmark machine): a
 * hand-off costs a wake-up, and the I/O threads already keep both cores busy.
 */
final class CryptoPool implements AutoCloseable {
    /** One unit of work: seal or open packet {@code i} with this thread's cipher. */
    @FunctionalInterface
    interface Task {
        void run(int i, TransportCipher cipher);
    }

    private static final int SPINS = 2000;

    private final Worker[] workers;
    private volatile boolean closed;

    CryptoPool(int workerCount, String name) {
        workers = new Worker[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Worker();
            workers[i].thread =
                    Thread.ofPlatform().daemon(true).name(name + "-crypto-" + i).start(workers[i]);
        }
    }

    int workers() {
        return workers.length;
    }

    /** Runs {@code task} for every index in [0, n); the caller takes a share and waits for the rest. */
    void run(int n, Task task, TransportCipher callerCipher) {
        int parts = Math.min(workers.length + 1, Math.max(1, n / 8)); // tiny batches are not worth a wake-up
        if (parts <= 1) {
            for (int i = 0; i < n; i++) {
                task.run(i, callerCipher);
            }
            return;
        }
        AtomicInteger remaining = new AtomicInteger(parts - 1);
        Thread caller = Thread.currentThread();
        int chunk = (n + parts - 1) / parts;
        for (int p = 1; p < parts; p++) {
            workers[p - 1].submit(task, p * chunk, Math.min(n, (p + 1) * chunk), remaining, caller);
        }
        for (int i = 0; i < Math.min(n, chunk); i++) {
            task.run(i, callerCipher);
        }
        int spins = 0;
        while (remaining.get() != 0) {
            if (++spins < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
    }

    private final class Worker implements Runnable {
        private final TransportCipher cipher = new TransportCipher();
        Thread thread;
        private volatile Task task;
        private int from;
        private int to;
        private AtomicInteger remaining;
        private Thread caller;

        void submit(Task t, int from, int to, AtomicInteger remaining, Thread caller) {
            this.from = from;
            this.to = to;
            this.remaining = remaining;
            this.caller = caller;
            this.task = t; // volatile write publishes the fields above
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            int spins = 0;
            while (!closed) {
                Task t = task;
                if (t == null) {
                    if (++spins < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                    continue;
                }
                spins = 0;
                try {
                    for (int i = from; i < to; i++) {
                        t.run(i, cipher);
                    }
                } finally {
                    task = null;
                    if (remaining.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }
}
