package io.nexodus.node;

import io.nexodus.netstack.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Set;

/**
 * A TCP connection over the mesh, as a {@link Socket}: {@link NexodusNode#connect} opens one, {@link MeshServerSocket#accept}
 * returns one, and {@link MeshSocketFactory#createSocket()} makes an unconnected one that {@link #connect} opens (as
 * libraries that take a {@link javax.net.SocketFactory} do). It lives on the node's userspace network stack, not in the
 * kernel, so code written against {@code Socket} (streams, timeouts, half-close, addresses) works unchanged.
 * <p>
 * What it supports: {@link #getInputStream()}, {@link #getOutputStream()} (blocking; virtual threads are the intended
 * callers), {@link #setSoTimeout}, {@link #setKeepAlive}, {@link #shutdownOutput()} (FIN after the data written),
 * {@link #shutdownInput()}, {@link #close()} (queued data is still sent, then FIN; unread received data turns it into a
 * reset), {@link #setSoLinger} with {@code (true, 0)} (close resets), and the address getters. Writes are sent at once
 * (no Nagle delay: {@code TCP_NODELAY} is always on), so wrap the output in a {@link java.io.BufferedOutputStream} for
 * many small writes. {@code connect} takes a tunnel address (the mesh has no DNS here) and a timeout (0: the node's
 * {@link NexodusNode#DEFAULT_CONNECT_TIMEOUT}); timeout and keep-alive set before it apply to the connection.
 * {@code bind} throws: the stack chooses the local address and port. The buffer sizes are the stack's (fixed per node);
 * setting one is a hint that is ignored, as a kernel may. Other options (traffic class, OOB data, reuse of addresses)
 * throw {@link SocketException}; {@link #getChannel()} is null.
 */
public final class MeshSocket extends Socket {
    /** Opens the stack's connection for {@link #connect}. */
    @FunctionalInterface
    interface Connector {
        TcpSocket open(InetSocketAddress remote, Duration timeout) throws IOException;
    }

    /** Null for a socket connected from the start. */
    private final Connector connector;

    private volatile TcpSocket tcp;
    private volatile InputStream in;
    private volatile OutputStream out;
    private volatile boolean closed;
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private volatile boolean keepAlive;
    private volatile int soTimeoutMillis;
    private volatile boolean resetOnClose;

    /** A socket connected from the start (opened by the node, or accepted). */
    MeshSocket(TcpSocket tcp) throws SocketException {
        super(new NoSocketImpl());
        this.connector = null;
        attach(tcp);
    }

    /** An unconnected socket; {@link #connect} opens it through {@code connector}. */
    MeshSocket(Connector connector) throws SocketException {
        super(new NoSocketImpl());
        this.connector = connector;
    }

    private void attach(TcpSocket t) {
        in = new In(t.getInputStream());
        out = new Out(t.getOutputStream());
        tcp = t;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    /**
     * Connects to a peer's TCP port, waiting at most {@code timeout} milliseconds (0: the node's default). The first
     * connection to a peer may wait for its WireGuard handshake.
     *
     * @throws java.net.UnknownHostException   an unresolved address (the mesh has no DNS here)
     * @throws java.net.ConnectException       the peer refused (reset)
     * @throws java.net.SocketTimeoutException no answer within the timeout
     */
    @Override
    public synchronized void connect(SocketAddress endpoint, int timeout) throws IOException {
        checkOpen();
        if (tcp != null || connector == null) {
            throw new SocketException("already connected");
        }
        if (endpoint == null) {
            throw new IllegalArgumentException("connect: The address can't be null");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        if (!(endpoint instanceof InetSocketAddress remote)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        if (remote.isUnresolved()) {
            throw new UnknownHostException(remote.getHostString()
                    + ": not an IP address (the mesh has no DNS here: use the peer's tunnel address)");
        }
        TcpSocket t =
                connector.open(remote, timeout == 0 ? NexodusNode.DEFAULT_CONNECT_TIMEOUT : Duration.ofMillis(timeout));
        if (closed) { // closed by another thread while connecting
            t.abort();
            throw new SocketException("Socket is closed");
        }
        if (soTimeoutMillis > 0) {
            t.setSoTimeout(Duration.ofMillis(soTimeoutMillis));
        }
        if (keepAlive) {
            t.setKeepAlive(true);
        }
        attach(t);
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        throw new SocketException("a mesh socket cannot be bound: the node's stack chooses its local address and port");
    }

    @Override
    public InetAddress getInetAddress() {
        TcpSocket t = tcp;
        return t == null ? null : t.remoteAddress().getAddress();
    }

    @Override
    public int getPort() {
        TcpSocket t = tcp;
        return t == null ? 0 : t.remoteAddress().getPort();
    }

    @Override
    public InetAddress getLocalAddress() {
        TcpSocket t = tcp;
        return t == null
                ? new InetSocketAddress(0).getAddress()
                : t.localAddress().getAddress();
    }

    @Override
    public int getLocalPort() {
        TcpSocket t = tcp;
        return t == null ? -1 : t.localAddress().getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        TcpSocket t = tcp;
        return t == null ? null : t.remoteAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        TcpSocket t = tcp;
        return t == null ? null : t.localAddress();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        checkConnected();
        if (inputShut) {
            throw new SocketException("Socket input is shutdown");
        }
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        checkConnected();
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

    /** The stack's send buffer: what a connection holds written but not yet acknowledged. */
    @Override
    public int getSendBufferSize() throws SocketException {
        checkConnected();
        return tcp.sendBufferSize();
    }

    /** Accepted as a hint and ignored: the stack's buffers are fixed per node. */
    @Override
    public void setSendBufferSize(int size) throws SocketException {
        checkOpen();
        if (size <= 0) {
            throw new IllegalArgumentException("negative send size");
        }
    }

    /** The stack's receive buffer: a connection's largest window. */
    @Override
    public int getReceiveBufferSize() throws SocketException {
        checkConnected();
        return tcp.receiveBufferSize();
    }

    /** Accepted as a hint and ignored: the stack's buffers are fixed per node. */
    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        checkOpen();
        if (size <= 0) {
            throw new IllegalArgumentException("invalid receive size");
        }
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        checkOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeoutMillis = timeout;
        TcpSocket t = tcp;
        if (t != null) {
            t.setSoTimeout(timeout == 0 ? null : Duration.ofMillis(timeout));
        }
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
        TcpSocket t = tcp;
        if (t != null) {
            t.setKeepAlive(on);
        }
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
        } else if (StandardSocketOptions.SO_SNDBUF.equals(name)) {
            setSendBufferSize((Integer) value);
        } else if (StandardSocketOptions.SO_RCVBUF.equals(name)) {
            setReceiveBufferSize((Integer) value);
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
        } else if (StandardSocketOptions.SO_SNDBUF.equals(name)) {
            return (T) Integer.valueOf(getSendBufferSize());
        } else if (StandardSocketOptions.SO_RCVBUF.equals(name)) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        throw new UnsupportedOperationException("'" + name + "' is not supported by a mesh socket");
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Set.of(
                StandardSocketOptions.SO_KEEPALIVE,
                StandardSocketOptions.TCP_NODELAY,
                StandardSocketOptions.SO_LINGER,
                StandardSocketOptions.SO_SNDBUF,
                StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        TcpSocket t = tcp;
        if (t == null) {
            return;
        }
        if (resetOnClose) {
            t.abort();
        } else {
            t.close();
        }
    }

    /** Further reads return end of stream (what arrives meanwhile is discarded by the next close). */
    @Override
    public void shutdownInput() throws IOException {
        checkConnected();
        if (inputShut) {
            throw new SocketException("Socket input is already shutdown");
        }
        inputShut = true;
    }

    /** Sends FIN after the data written so far; reading goes on. */
    @Override
    public void shutdownOutput() throws IOException {
        checkConnected();
        if (outputShut) {
            throw new SocketException("Socket output is already shutdown");
        }
        outputShut = true;
        tcp.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return tcp != null;
    }

    @Override
    public boolean isBound() {
        return tcp != null;
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
        TcpSocket t = tcp;
        if (t == null) {
            return "MeshSocket[unconnected" + (closed ? ", closed" : "") + "]";
        }
        return "MeshSocket[local=" + t.localAddress() + ", remote=" + t.remoteAddress() + (closed ? ", closed" : "")
                + "]";
    }

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    private void checkConnected() throws SocketException {
        checkOpen();
        if (tcp == null) {
            throw new SocketException("Socket is not connected");
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
