package io.nexodus.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mesh port forwarded to a TCP address of this host ({@link NexodusNode#forward}): for a server that can only
 * listen on kernel sockets, such as the JDK's {@code HttpServer}. One connection to {@code target} per accepted mesh
 * connection, each direction copied by a virtual thread; end of stream on one side becomes a half-close on the other,
 * an error on either side resets both. Closing it stops accepting and resets the connections in progress.
 */
public final class MeshForward implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MeshForward.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int BUFFER = 64 * 1024;

    private final MeshServerSocket server;
    private final InetSocketAddress target;
    private final Consumer<MeshForward> onClose;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean closed;

    MeshForward(MeshServerSocket server, InetSocketAddress target, Consumer<MeshForward> onClose) {
        this.server = server;
        this.target = target;
        this.onClose = onClose;
        Thread.ofVirtual().name("mesh-forward-" + server.getLocalPort()).start(this::acceptLoop);
    }

    /** The mesh port. */
    public int meshPort() {
        return server.getLocalPort();
    }

    /** Where connections go. */
    public InetSocketAddress target() {
        return target;
    }

    /** Connections accepted so far. */
    public long connections() {
        return connections.get();
    }

    /** Connections that could not reach the target or ended with an error. */
    public long failures() {
        return failures.get();
    }

    private void acceptLoop() {
        while (!closed) {
            MeshSocket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("mesh port {}: stopped accepting: {}", server.getLocalPort(), e.getMessage());
                }
                return;
            }
            connections.incrementAndGet();
            Thread.ofVirtual().name("mesh-forward-conn").start(() -> serve(in));
        }
    }

    private void serve(MeshSocket in) {
        Socket out = new Socket();
        open.add(in);
        open.add(out);
        try {
            out.connect(target, CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            failures.incrementAndGet();
            log.debug("mesh port {}: cannot reach {}: {}", server.getLocalPort(), target, e.getMessage());
            reset(in, out);
            return;
        }
        AtomicInteger running = new AtomicInteger(2);
        AtomicBoolean failed = new AtomicBoolean();
        Thread.ofVirtual().name("mesh-forward-up").start(() -> copy(in, out, running, failed));
        copy(out, in, running, failed);
    }

    /** Copies until end of stream, then half-closes {@code to}; the second direction to end closes both. */
    private void copy(Socket from, Socket to, AtomicInteger running, AtomicBoolean failed) {
        byte[] buf = new byte[BUFFER];
        try {
            InputStream i = from.getInputStream();
            OutputStream o = to.getOutputStream();
            for (int n; (n = i.read(buf)) >= 0; ) {
                o.write(buf, 0, n);
            }
            to.shutdownOutput();
            if (running.decrementAndGet() == 0) {
                close(from, to);
            }
        } catch (IOException e) {
            // the other direction fails too once this one resets both: count the connection once
            if (!closed && failed.compareAndSet(false, true)) {
                failures.incrementAndGet();
            }
            reset(from, to);
        }
    }

    private void close(Socket a, Socket b) {
        for (Socket s : new Socket[] {a, b}) {
            open.remove(s);
            try {
                s.close();
            } catch (IOException e) {
                // closing: nothing left to do
            }
        }
    }

    private void reset(Socket a, Socket b) {
        for (Socket s : new Socket[] {a, b}) {
            try {
                s.setSoLinger(true, 0);
            } catch (SocketException e) {
                // closed already
            }
        }
        close(a, b);
    }

    /** Stops accepting and resets the connections in progress. */
    @Override
    public void close() {
        closed = true;
        onClose.accept(this);
        server.close();
        for (Socket s : open.toArray(new Socket[0])) {
            reset(s, s);
        }
    }

    @Override
    public String toString() {
        return "mesh port " + server.getLocalPort() + " -> " + target;
    }
}
