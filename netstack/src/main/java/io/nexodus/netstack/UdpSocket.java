package io.nexodus.netstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;

/**
 * A UDP port of a {@link NetStack} (bound on every address of the stack). Received datagrams wait in a bounded
 * queue ({@link NetStackConfig#udpQueue()}); beyond it they are dropped and counted as
 * {@link DropReason#UDP_QUEUE_FULL}. {@link #receive} blocks the calling thread (a virtual thread is fine).
 */
public final class UdpSocket implements AutoCloseable {
    private final NetStack stack;
    private final int port;
    private final int capacity;
    private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    private final Condition changed;
    private boolean closed;

    UdpSocket(NetStack stack, int port, int capacity) {
        this.stack = stack;
        this.port = port;
        this.capacity = capacity;
        this.changed = stack.lock().newCondition();
    }

    public int port() {
        return port;
    }

    /**
     * Sends one datagram from this port (and the stack's first address of the destination's family). Datagrams
     * that would not fit the MTU are refused: the stack does not fragment.
     */
    public void send(InetSocketAddress to, byte[] data) throws IOException {
        stack.lock().lock();
        try {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            stack.sendUdp(port, to, data);
        } finally {
            stack.lock().unlock();
        }
    }

    /** Waits for the next datagram. */
    public Datagram receive() throws IOException {
        return receive(null);
    }

    /** Waits at most {@code timeout} (null: forever) for the next datagram. */
    public Datagram receive(Duration timeout) throws IOException {
        stack.lock().lock();
        try {
            long left = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
            while (true) {
                Datagram d = queue.poll();
                if (d != null) {
                    return d;
                }
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (timeout == null) {
                    changed.await();
                } else if (left <= 0) {
                    throw new SocketTimeoutException("Receive timed out");
                } else {
                    left = changed.awaitNanos(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("Interrupted");
        } finally {
            stack.lock().unlock();
        }
    }

    @Override
    public void close() {
        stack.lock().lock();
        try {
            if (!closed) {
                closed = true;
                stack.removeUdp(this);
                changed.signalAll();
            }
        } finally {
            stack.lock().unlock();
        }
    }

    /** Lock held; false if the queue was full. */
    boolean deliver(Datagram d) {
        if (closed || queue.size() >= capacity) {
            return false;
        }
        queue.add(d);
        changed.signalAll();
        return true;
    }
}
