package io.nexodus.netstack;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;

/**
 * A listening TCP port (on every address of the stack). Incoming SYNs become half-open connections; once their
 * handshake completes they wait here for {@link #accept}. The backlog bounds half-open plus not-yet-accepted
 * connections together; SYNs beyond it are dropped (counted as {@link DropReason#TCP_BACKLOG_FULL}) and the peer's
 * SYN retransmission tries again later, as with Linux when its accept queue is full.
 * <p>
 * {@link #accept} blocks the calling thread (a virtual thread is fine) on the stack's lock condition.
 */
public final class TcpListener implements AutoCloseable {
    private final NetStack stack;
    private final int port;
    private final int backlog;
    private final ArrayDeque<TcpConnection> ready = new ArrayDeque<>();
    private final Condition changed;
    private int halfOpen;
    private boolean closed;

    TcpListener(NetStack stack, int port, int backlog) {
        this.stack = stack;
        this.port = port;
        this.backlog = backlog;
        this.changed = stack.lock().newCondition();
    }

    public int port() {
        return port;
    }

    /** Waits for the next established connection. */
    public TcpSocket accept() throws IOException {
        return accept(null);
    }

    /** Waits at most {@code timeout} (null: forever) for the next established connection. */
    public TcpSocket accept(Duration timeout) throws IOException {
        stack.lock().lock();
        try {
            long left = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
            while (true) {
                if (closed) {
                    throw new SocketException("Listener closed");
                }
                TcpConnection c = poll();
                if (c != null) {
                    return new TcpSocket(stack, c);
                }
                if (timeout == null) {
                    changed.await();
                } else if (left <= 0) {
                    throw new SocketTimeoutException("Accept timed out");
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

    /** The next established connection, or null (lock held). */
    TcpConnection poll() {
        TcpConnection c = ready.poll();
        if (c != null) {
            c.listener = null;
        }
        return c;
    }

    @Override
    public void close() {
        stack.lock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            stack.removeListener(this);
            for (TcpConnection c : ready.toArray(new TcpConnection[0])) {
                c.abort();
            }
            changed.signalAll();
        } finally {
            stack.lock().unlock();
        }
    }

    // ---- stack side (lock held) ----

    boolean closed() {
        return closed;
    }

    boolean hasRoom() {
        return halfOpen + ready.size() < backlog;
    }

    void halfOpened() {
        halfOpen++;
    }

    void established(TcpConnection c) {
        halfOpen--;
        if (closed) {
            c.listener = null;
            c.abort();
            return;
        }
        ready.add(c);
        changed.signalAll();
    }

    /** A connection of ours closed before it was accepted. */
    void forget(TcpConnection c) {
        if (!ready.remove(c)) {
            halfOpen--;
        }
    }
}
