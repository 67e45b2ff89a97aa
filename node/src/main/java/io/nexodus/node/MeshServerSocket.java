package io.nexodus.node;

import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.TcpListener;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;

/**
 * A TCP port of this node on the mesh, as a {@link ServerSocket}: peers connect to this device's tunnel addresses
 * (IPv4 and IPv6) at {@link #getLocalPort()}. {@link NexodusNode#listen} opens one; {@link #accept()} returns a
 * {@link MeshSocket}. Any port 1..65535 may be used without privileges: the port is on the node's userspace network
 * stack, not on this host.
 * <p>
 * What it supports: {@link #accept()} (blocking; a virtual thread per connection is the intended pattern),
 * {@link #setSoTimeout}, {@link #close()} (connections not yet accepted are reset; accepted ones stay open), the
 * address getters. It is bound from the start ({@code bind} throws); other options throw {@link SocketException};
 * {@link #getChannel()} is null. When the service gives this device other tunnel addresses (a re-registration), the
 * node's stack is replaced and this port is opened again on the new one by the next {@code accept} (connections of
 * the old addresses are reset, as on a kernel interface).
 * <p>
 * Security groups apply: the VPC's inbound rules decide which peers may reach this port, before the stack sees them.
 */
public final class MeshServerSocket extends ServerSocket {
    private final NexodusNode.StackSource stacks;
    private final int port;
    private final int backlog;
    private volatile boolean closed;
    private volatile int soTimeoutMillis;
    private TcpListener listener;
    private NetStack listenerStack;

    MeshServerSocket(NexodusNode.StackSource stacks, int port, int backlog) throws IOException {
        super(new NoSocketImpl());
        this.stacks = stacks;
        this.backlog = backlog;
        NetStack stack = stacks.current();
        this.listener = stack.listen(port, backlog);
        this.listenerStack = stack;
        this.port = listener.port();
    }

    /** Waits for the next connection from a peer (at most {@link #getSoTimeout()} ms when set). */
    @Override
    public MeshSocket accept() throws IOException {
        while (true) {
            TcpListener l;
            NetStack s;
            synchronized (this) {
                if (closed) {
                    throw new SocketException("Socket is closed");
                }
                l = listener;
                s = listenerStack;
            }
            int t = soTimeoutMillis;
            try {
                return new MeshSocket(l.accept(t == 0 ? null : Duration.ofMillis(t)));
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (SocketException e) {
                if (closed) {
                    throw new SocketException("Socket is closed", e);
                }
                NetStack now = stacks.current(); // throws once the node is closed
                if (now == s) {
                    throw e;
                }
                reopen(s, now);
            }
        }
    }

    /** The node's stack was replaced (new tunnel addresses): listen on the new one, once. */
    private synchronized void reopen(NetStack old, NetStack now) throws IOException {
        if (closed || listenerStack != old) {
            return;
        }
        listener = now.listen(port, backlog);
        listenerStack = now;
    }

    @Override
    public void bind(SocketAddress endpoint) throws IOException {
        throw new SocketException("already bound: a mesh server socket is opened by NexodusNode.listen");
    }

    @Override
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
        bind(endpoint);
    }

    /** This device's IPv4 tunnel address (the port listens on its IPv6 address too). */
    @Override
    public synchronized InetAddress getInetAddress() {
        for (InetAddress a : listenerStack.config().addresses()) {
            if (a instanceof Inet4Address) {
                return a;
            }
        }
        return listenerStack.config().addresses().getFirst();
    }

    @Override
    public int getLocalPort() {
        return port;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return new InetSocketAddress(getInetAddress(), port);
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        return soTimeoutMillis;
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        throw new UnsupportedOperationException("'" + name + "' is not supported by a mesh server socket");
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        throw new UnsupportedOperationException("'" + name + "' is not supported by a mesh server socket");
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Set.of();
    }

    @Override
    public void close() {
        TcpListener l;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            l = listener;
        }
        l.close();
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
    public String toString() {
        return "MeshServerSocket[port=" + port + (closed ? ", closed" : "") + "]";
    }
}
