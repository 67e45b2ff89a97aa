package io.nexodus.node;

import io.nexodus.netstack.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Set;

/**
 * A TCP connection over the mesh, as a {@link Socket}: {@link NexodusNode#connect} opens one, {@link MeshServerSocket#accept}
 * returns one. It lives on the node's userspace network stack, not in the kernel, so code written against
 * {@code Socket} (streams, timeouts, half-close, addresses) works unchanged.
 * <p>
 * What it supports: {@link #getInputStream()}, {@link #getOutputStream()} (blocking; virtual threads are the intended
 * callers), {@link #setSoTimeout}, {@link #setKeepAlive}, {@link #shutdownOutput()} (FIN after the data written),
 * {@link #shutdownInput()}, {@link #close()} (queued data is still sent, then FIN; unread received data turns it into a
 * reset), {@link #setSoLinger} with {@code (true, 0)} (close resets), and the address getters. Writes are sent at once
 * (no Nagle delay: {@code TCP_NODELAY} is always on), so wrap the output in a {@link java.io.BufferedOutputStream} for
 * many small writes. It is connected from the start: {@code connect} and {@code bind} throw. Other options (buffer
 * sizes, traffic class, OOB data) throw {@link SocketException}; {@link #getChannel()} is null.
 */
public final class MeshSocket extends Socket {
    private final TcpSocket tcp;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean closed;
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private volatile boolean keepAlive;
    private volatile int soTimeoutMillis;
    private volatile boolean resetOnClose;

    MeshSocket(TcpSocket tcp) throws SocketException {
        super(new NoSocketImpl());
        this.tcp = tcp;
        this.in = new In(tcp.getInputStream());
        this.out = new Out(tcp.getOutputStream());
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        throw new SocketException("already connected: a mesh socket is opened by NexodusNode.connect");
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        connect(endpoint);
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        throw new SocketException("already bound: a mesh socket is opened by NexodusNode.connect");
    }

    @Override
    public InetAddress getInetAddress() {
        return tcp.remoteAddress().getAddress();
    }

    @Override
    public int getPort() {
        return tcp.remoteAddress().getPort();
    }

    @Override
    public InetAddress getLocalAddress() {
        return tcp.localAddress().getAddress();
    }

    @Override
    public int getLocalPort() {
        return tcp.localAddress().getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return tcp.remoteAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return tcp.localAddress();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        checkOpen();
        if (inputShut) {
            throw new SocketException("Socket input is shutdown");
        }
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        checkOpen();
        if (outputShut) {
            throw new SocketException("Socket output is shutdown");
        }
        return out;
    }

    /** Accepted and ignored: the stack never delays a write (as if {@code TCP_NODELAY} were always on). */
    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        checkOpen();
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        checkOpen();
        return true;
    }

    /** {@code (true, 0)}: {@link #close()} resets the connection (RST, unsent data dropped); other values: normal close. */
    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        checkOpen();
        if (on && linger < 0) {
            throw new IllegalArgumentException("invalid value for SO_LINGER");
        }
        resetOnClose = on && linger == 0;
    }

    @Override
    public int getSoLinger() throws SocketException {
        checkOpen();
        return resetOnClose ? 0 : -1;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        checkOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeoutMillis = timeout;
        tcp.setSoTimeout(timeout == 0 ? null : Duration.ofMillis(timeout));
    }

    @Override
    public int getSoTimeout() throws SocketException {
        checkOpen();
        return soTimeoutMillis;
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        checkOpen();
        keepAlive = on;
        tcp.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        checkOpen();
        return keepAlive;
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        if (StandardSocketOptions.SO_KEEPALIVE.equals(name)) {
            setKeepAlive((Boolean) value);
        } else if (StandardSocketOptions.TCP_NODELAY.equals(name)) {
            setTcpNoDelay((Boolean) value);
        } else if (StandardSocketOptions.SO_LINGER.equals(name)) {
            int l = (Integer) value;
            setSoLinger(l >= 0, Math.max(l, 0));
        } else {
            throw new UnsupportedOperationException("'" + name + "' is not supported by a mesh socket");
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked") // each branch answers the type its option names
    public <T> T getOption(SocketOption<T> name) throws IOException {
        if (StandardSocketOptions.SO_KEEPALIVE.equals(name)) {
            return (T) Boolean.valueOf(getKeepAlive());
        } else if (StandardSocketOptions.TCP_NODELAY.equals(name)) {
            return (T) Boolean.valueOf(getTcpNoDelay());
        } else if (StandardSocketOptions.SO_LINGER.equals(name)) {
            return (T) Integer.valueOf(getSoLinger());
        }
        throw new UnsupportedOperationException("'" + name + "' is not supported by a mesh socket");
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Set.of(
                StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_LINGER);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (resetOnClose) {
            tcp.abort();
        } else {
            tcp.close();
        }
    }

    /** Further reads return end of stream (what arrives meanwhile is discarded by the next close). */
    @Override
    public void shutdownInput() throws IOException {
        checkOpen();
        if (inputShut) {
            throw new SocketException("Socket input is already shutdown");
        }
        inputShut = true;
    }

    /** Sends FIN after the data written so far; reading goes on. */
    @Override
    public void shutdownOutput() throws IOException {
        checkOpen();
        if (outputShut) {
            throw new SocketException("Socket output is already shutdown");
        }
        outputShut = true;
        tcp.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShut;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShut;
    }

    @Override
    public String toString() {
        return "MeshSocket[local=" + tcp.localAddress() + ", remote=" + tcp.remoteAddress() + (closed ? ", closed" : "")
                + "]";
    }

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    /** The stack's stream, ending early after {@link #shutdownInput()}; closing it closes the socket (as Java's). */
    private final class In extends InputStream {
        private final InputStream s;

        In(InputStream s) {
            this.s = s;
        }

        @Override
        public int read() throws IOException {
            return inputShut ? -1 : s.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return inputShut ? -1 : s.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return inputShut ? 0 : s.available();
        }

        @Override
        public void close() {
            MeshSocket.this.close();
        }
    }

    /** The stack's stream; closing it closes the socket (as Java's). */
    private final class Out extends OutputStream {
        private final OutputStream s;

        Out(OutputStream s) {
            this.s = s;
        }

        @Override
        public void write(int b) throws IOException {
            s.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            s.write(b, off, len);
        }

        @Override
        public void close() {
            MeshSocket.this.close();
        }
    }
}
