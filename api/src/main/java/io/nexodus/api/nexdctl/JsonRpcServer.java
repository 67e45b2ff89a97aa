package io.nexodus.api.nexdctl;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSON-RPC 1.0 server on a unix stream socket, one virtual thread per connection, several calls per connection
 * (Go's {@code net/rpc} client reuses its connection). Bounded: request size, concurrent connections (more are
 * closed at once) and idle time per connection. A malformed request gets an error response and, when the framing
 * is lost (oversized or non-JSON input), the connection is closed; nothing escapes the connection's loop.
 * <p>
 * {@link #start()} refuses to take over a socket another process still answers on, removes a stale one, creates
 * missing parent directories (0700) and restricts the socket to {@code socketPermissions} (default 0600).
 */
public final class JsonRpcServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JsonRpcServer.class);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** Limits per server. */
    public record Limits(int maxRequestBytes, int maxConnections, Duration idleTimeout) {
        public static final Limits DEFAULT = new Limits(64 * 1024, 64, Duration.ofMinutes(1));
    }

    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path socket;
    private final JsonRpcHandler handler;
    private final Limits limits;
    private final Set<PosixFilePermission> socketPermissions;
    private final Semaphore connectionSlots;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong served = new AtomicLong();
    private ServerSocketChannel listener;
    private ScheduledExecutorService idleTimer;
    private Thread acceptThread;
    private volatile boolean closed;

    public JsonRpcServer(Path socket, JsonRpcHandler handler) {
        this(socket, handler, Limits.DEFAULT, OWNER_ONLY);
    }

    public JsonRpcServer(
            Path socket, JsonRpcHandler handler, Limits limits, Set<PosixFilePermission> socketPermissions) {
        this.socket = Objects.requireNonNull(socket, "socket").toAbsolutePath();
        this.handler = Objects.requireNonNull(handler, "handler");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.socketPermissions = Set.copyOf(socketPermissions);
        this.connectionSlots = new Semaphore(limits.maxConnections());
    }

    /** Binds the socket and starts accepting. */
    public synchronized JsonRpcServer start() throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already started");
        }
        prepareSocketPath();
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, socketPermissions);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        listener = ch;
        idleTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jsonrpc-idle " + socket.getFileName());
            t.setDaemon(true);
            return t;
        });
        acceptThread = Thread.ofVirtual()
                .name("jsonrpc-accept " + socket.getFileName())
                .start(this::acceptLoop);
        return this;
    }

    public Path socket() {
        return socket;
    }

    /** Connections open right now. */
    public int activeConnections() {
        return connections.size();
    }

    /** Requests answered so far. */
    public long requestsServed() {
        return served.get();
    }

    /** Stops accepting, closes every connection and removes the socket file. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        connections.forEach(JsonRpcServer::closeQuietly);
        if (idleTimer != null) {
            idleTimer.shutdownNow();
        }
        if (acceptThread != null) {
            try {
                acceptThread.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (listener != null) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                log.warn("cannot remove control socket {}: {}", socket, e.getMessage());
            }
        }
    }

    private void prepareSocketPath() throws IOException {
        Path dir = socket.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(socket + " exists and is not a socket; refusing to replace it");
        }
        SocketChannel probe;
        try {
            probe = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (ConnectException stale) {
            Files.deleteIfExists(socket); // a socket file nobody listens on: left by a crashed process
            return;
        }
        probe.close();
        throw new IOException("another process is serving " + socket + " (is another nexd running?)");
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                log.warn("control socket {}: accept failed: {}", socket, e.getMessage());
                sleepQuietly(Duration.ofMillis(100));
                continue;
            }
            if (!connectionSlots.tryAcquire()) {
                log.warn(
                        "control socket {}: more than {} connections, closing a new one",
                        socket,
                        limits.maxConnections());
                closeQuietly(ch);
                continue;
            }
            connections.add(ch);
            Thread.ofVirtual().name("jsonrpc-conn " + socket.getFileName()).start(() -> {
                try {
                    serve(ch);
                } finally {
                    closeQuietly(ch);
                    connectionSlots.release();
                    connections.remove(ch); // last, so activeConnections() == 0 means the slot is free again
                }
            });
        }
    }

    private void serve(SocketChannel ch) {
        JsonRpcFrameReader reader;
        try {
            reader = new JsonRpcFrameReader(Channels.newInputStream(ch), limits.maxRequestBytes());
        } catch (RuntimeException e) {
            return;
        }
        try {
            while (!closed) {
                ScheduledFuture<?> idle = idleTimer.schedule(
                        () -> closeQuietly(ch), limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
                JsonRpcFrameReader.Frame frame;
                try {
                    frame = reader.next();
                } finally {
                    idle.cancel(false);
                }
                switch (frame) {
                    case JsonRpcFrameReader.Frame.Json j -> write(ch, answer(j.bytes()));
                    case JsonRpcFrameReader.Frame.EndOfStream e -> {
                        return;
                    }
                    case JsonRpcFrameReader.Frame.Truncated t -> {
                        return;
                    }
                    case JsonRpcFrameReader.Frame.Oversized o -> {
                        write(ch, JsonRpcResponse.failure(null, "request larger than " + o.limit() + " bytes"));
                        return;
                    }
                    case JsonRpcFrameReader.Frame.Garbage g -> {
                        write(ch, JsonRpcResponse.failure(null, "not JSON-RPC: " + g.reason()));
                        return;
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away, or the idle timer closed the connection
        }
    }

    private JsonRpcResponse answer(byte[] frame) {
        return switch (JsonRpcCodec.decode(frame)) {
            case JsonRpcDecodeResult.Decoded(JsonRpcRequest request) -> {
                served.incrementAndGet();
                try {
                    JsonRpcResponse r = handler.handle(request);
                    yield r != null ? r : JsonRpcResponse.failure(request.id(), "no response");
                } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
                    log.debug("control socket {}: {} failed: {}", socket, request.method(), message(e));
                    yield JsonRpcResponse.failure(request.id(), message(e));
                } catch (RuntimeException e) {
                    log.warn("control socket {}: {} failed", socket, request.method(), e);
                    yield JsonRpcResponse.failure(request.id(), message(e));
                }
            }
            case JsonRpcDecodeResult.Decoded(JsonRpcResponse r) ->
                JsonRpcResponse.failure(r.id(), "expected a request, got a response");
            case JsonRpcDecodeResult.Invalid inv ->
                JsonRpcResponse.failure(inv.id(), "invalid request: " + inv.reason());
        };
    }

    private static void write(SocketChannel ch, JsonRpcResponse response) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(JsonRpcCodec.encode(response));
        while (out.hasRemaining()) {
            ch.write(out);
        }
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
