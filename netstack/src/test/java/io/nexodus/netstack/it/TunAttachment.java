package io.nexodus.netstack.it;

import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.NetStackConfig;
import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.ffi.Libc;
import io.nexodus.wireguard.tun.LinuxTun;
import io.nexodus.wireguard.tun.Tun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A {@link NetStack} attached to a kernel TUN, the way a WireGuard device will feed it: a platform thread reads
 * packets from the TUN into {@link NetStack#input}, and the stack's sink puts packets on a bounded queue that a
 * second thread writes to the TUN (the sink must not block). Here the kernel's own TCP is the peer.
 */
final class TunAttachment implements AutoCloseable {
    final LinuxTun tun;
    final NetStack stack;
    private final BlockingQueue<byte[]> toTun = new ArrayBlockingQueue<>(4096);
    private final Thread reader;
    private final Thread writer;
    private volatile boolean closed;
    /** Impairment applied in both directions between the TUN and the stack (where netem is not available). */
    private volatile double loss;

    private volatile double reorder;
    private byte[] heldIn; // reader thread only
    private byte[] heldOut; // under the stack's lock (the sink's caller holds it)

    TunAttachment(LinuxTun tun, NetStackConfig config) {
        this.tun = tun;
        this.stack = new NetStack(config, this::toTun);
        this.reader = Thread.ofPlatform().daemon().name("tun-read").start(this::readLoop);
        this.writer = Thread.ofPlatform().daemon().name("tun-write").start(this::writeLoop);
        stack.start();
    }

    private void readLoop() {
        PacketBatch batch = new PacketBatch(32, PacketBatch.HEADROOM + LinuxTun.MAX_READ + 32);
        try {
            int n;
            while ((n = tun.read(batch)) >= 0) {
                for (int i = 0; i < n; i++) {
                    if (loss == 0 && reorder == 0) {
                        stack.input(batch.buffer(i), batch.offset(i), batch.length(i));
                    } else {
                        byte[] p =
                                Arrays.copyOfRange(batch.buffer(i), batch.offset(i), batch.offset(i) + batch.length(i));
                        fromTun(p);
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Drops a packet with probability {@code loss}; holds one back behind the next with {@code reorder}. */
    void impair(double loss, double reorder) {
        this.loss = loss;
        this.reorder = reorder;
    }

    private void fromTun(byte[] p) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (r.nextDouble() < loss) {
            return;
        }
        if (heldIn == null && r.nextDouble() < reorder) {
            heldIn = p;
            return;
        }
        stack.input(p, 0, p.length);
        if (heldIn != null) {
            byte[] h = heldIn;
            heldIn = null;
            stack.input(h, 0, h.length);
        }
    }

    private void toTun(byte[] p) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (loss > 0 && r.nextDouble() < loss) {
            return;
        }
        if (heldOut == null && reorder > 0 && r.nextDouble() < reorder) {
            heldOut = p;
            return;
        }
        toTun.offer(p);
        if (heldOut != null) {
            toTun.offer(heldOut);
            heldOut = null;
        }
    }

    private void writeLoop() {
        PacketBatch batch = new PacketBatch(32, PacketBatch.HEADROOM + 65536);
        try {
            while (!closed) {
                byte[] p = toTun.poll(50, TimeUnit.MILLISECONDS);
                if (p == null) {
                    continue;
                }
                int n = 0;
                do {
                    System.arraycopy(p, 0, batch.buffer(n), PacketBatch.HEADROOM, p.length);
                    batch.set(n++, PacketBatch.HEADROOM, p.length, null);
                } while (n < batch.capacity() && (p = toTun.poll()) != null);
                batch.count(n);
                tun.write(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!closed) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Creates a TUN inside the named namespace (on a thread that joined it) so the root namespace is untouched. */
    static LinuxTun createTunIn(String netns, String name, int mtu, boolean offload) throws Exception {
        return inNetns(netns, () -> LinuxTun.create(name, mtu, offload));
    }

    static <T> T inNetns(String netns, Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            int fd = Libc.open("/var/run/netns/" + netns, Libc.O_CLOEXEC);
            if (fd < 0) {
                throw Libc.error("open netns " + netns, fd);
            }
            try {
                int r = Libc.setns(fd, Libc.CLONE_NEWNET);
                if (r < 0) {
                    throw Libc.error("setns " + netns, r);
                }
            } finally {
                Libc.close(fd);
            }
            return body.call();
        });
        Thread t = Thread.ofPlatform().name("in-netns").start(task);
        t.join();
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    Tun tun() {
        return tun;
    }

    @Override
    public void close() {
        closed = true;
        stack.close();
        tun.close();
        try {
            reader.join(5000);
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
