package io.nexodus.netstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * A connected TCP socket of a {@link NetStack}, with blocking streams like {@link java.net.Socket}'s.
 * <p>
 * Threading: reads and writes block the calling thread on a condition of the stack's lock until data, buffer space
 * or an end arrives; virtual threads are the intended callers. One reader and one writer may work at the same
 * time. Writes return once the bytes are in the send buffer (not when they are acknowledged); there is no Nagle
 * delay (every write is sent as soon as the windows allow, like {@code TCP_NODELAY}), so wrap the stream in a
 * {@link java.io.BufferedOutputStream} for many small writes.
 */
public final class TcpSocket implements AutoCloseable {
    private final NetStack stack;
    private final TcpConnection conn;
    private volatile long readTimeoutNanos;
    private final InputStream in = new In();
    private final OutputStream out = new Out();

    TcpSocket(NetStack stack, TcpConnection conn) {
        this.stack = stack;
        this.conn = conn;
    }

    /** Bytes this connection holds written but not yet acknowledged (the stack's send buffer, fixed per stack). */
    public int sendBufferSize() {
        return stack.config().sendBuffer();
    }

    /** Bytes this connection holds received but not yet read: its largest window (fixed per stack). */
    public int receiveBufferSize() {
        return stack.config().receiveBuffer();
    }

    public InputStream getInputStream() {
        return in;
    }

    public OutputStream getOutputStream() {
        return out;
    }

    public InetSocketAddress localAddress() {
        return new InetSocketAddress(conn.key.local(), conn.key.localPort());
    }

    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress(conn.key.remote(), conn.key.remotePort());
    }

    public TcpState state() {
        stack.lock().lock();
        try {
            return conn.state;
        } finally {
            stack.lock().unlock();
        }
    }

    /** Read timeout (zero or null: none); a read that waits longer throws {@link SocketTimeoutException}. */
    public void setSoTimeout(Duration timeout) {
        readTimeoutNanos = timeout == null ? 0 : timeout.toNanos();
    }

    /** Keepalive probes after the configured idle time (off by default, as with Java sockets). */
    public void setKeepAlive(boolean on) {
        stack.lock().lock();
        try {
            conn.sender.keepalive = on;
            if (on) {
                conn.sender.restartKeepalive();
            } else {
                stack.timers().cancel(conn.sender.keepaliveTimer);
            }
        } finally {
            stack.lock().unlock();
        }
    }

    /** Sends FIN after the data written so far; reading goes on. */
    public void shutdownOutput() {
        stack.lock().lock();
        try {
            conn.shutdownOutput();
        } finally {
            stack.lock().unlock();
        }
    }

    /**
     * Closes both directions without waiting: queued data is still sent, then FIN. If received data was never read
     * the connection is reset instead (the peer learns its data was lost).
     */
    @Override
    public void close() {
        stack.lock().lock();
        try {
            if (!conn.appClosed) {
                conn.close();
            }
        } finally {
            stack.lock().unlock();
        }
    }

    /** Resets the connection (RST), dropping unsent data. */
    public void abort() {
        stack.lock().lock();
        try {
            conn.appClosed = true;
            if (conn.state != TcpState.CLOSED) {
                conn.abort();
            }
        } finally {
            stack.lock().unlock();
        }
    }

    private int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        stack.lock().lock();
        try {
            long timeout = readTimeoutNanos;
            long left = timeout;
            while (true) {
                if (conn.appClosed) {
                    throw new SocketException("Socket closed");
                }
                if (conn.recvBuf.size() > 0) {
                    return conn.read(b, off, len);
                }
                if (conn.eof) {
                    return -1;
                }
                if (conn.error != null) {
                    throw new SocketException(conn.error.getMessage());
                }
                if (conn.state == TcpState.CLOSED) {
                    return -1;
                }
                if (timeout == 0) {
                    conn.changed.await();
                } else if (left <= 0) {
                    throw new SocketTimeoutException("Read timed out");
                } else {
                    left = conn.changed.awaitNanos(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("Interrupted");
        } finally {
            stack.lock().unlock();
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        stack.lock().lock();
        try {
            while (len > 0) {
                if (conn.appClosed) {
                    throw new SocketException("Socket closed");
                }
                if (conn.error != null) {
                    throw new SocketException(conn.error.getMessage());
                }
                if (conn.sender.finQueued || !conn.state.sends()) {
                    throw new SocketException("Socket output is shut down");
                }
                int n = conn.sender.write(b, off, len);
                off += n;
                len -= n;
                if (len > 0 && n == 0) {
                    conn.changed.await();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("Interrupted");
        } finally {
            stack.lock().unlock();
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = TcpSocket.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return TcpSocket.this.read(b, off, len);
        }

        @Override
        public int available() {
            stack.lock().lock();
            try {
                return conn.recvBuf.size();
            } finally {
                stack.lock().unlock();
            }
        }

        @Override
        public void close() {
            TcpSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            TcpSocket.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            TcpSocket.this.write(b, off, len);
        }

        @Override
        public void close() {
            TcpSocket.this.close();
        }
    }
}
