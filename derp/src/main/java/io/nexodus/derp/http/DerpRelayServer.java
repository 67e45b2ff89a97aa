package io.nexodus.derp.http;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.crypto.KeyFile;
import io.nexodus.derp.frame.BufferPool;
import io.nexodus.derp.frame.FrameReader;
import io.nexodus.derp.server.ConnectionCloseReason;
import io.nexodus.derp.server.DerpServer;
import io.nexodus.derp.server.DerpServerConfig;
import io.nexodus.derp.server.DerpServerStats;
import io.nexodus.derp.server.TokenBucket;
import io.nexodus.derp.server.UpgradedConnection;
import io.nexodus.derp.tls.EngineTlsConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DERP relay on one TCP port: TLS (or plain HTTP), a strict HTTP/1.1 front with {@code /derp} (upgrade),
 * {@code /derp/probe}, {@code /derp/latency-check}, {@code /generate_204}, {@code /robots.txt} and {@code /}, and the
 * {@link DerpServer} behind it. One virtual thread per connection; the accept-rate limit closes excess connections
 * right after accept. This is what {@code nexd relayderp} and the service's public relay run.
 */
public final class DerpRelayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DerpRelayServer.class);
    private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern NEXODUS_CHALLENGE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final DerpRelayConfig config;
    private final ScheduledExecutorService scheduler;
    private final DerpServer derp;
    private final ServerTls tls;
    private final ServerSocket listener;
    private final TokenBucket acceptLimiter;
    /** Big read buffers, lent to connections only while data keeps arriving. */
    private final BufferPool readBuffers = new BufferPool(16 * 1024, 64);

    private final BufferPool tlsPacketBuffers;
    private final BufferPool tlsAppBuffers;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Every accepted socket until its handler ends, so close() also ends connections still in setup. */
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private final Thread acceptThread;

    private DerpRelayServer(
            DerpRelayConfig config,
            ScheduledExecutorService scheduler,
            DerpServer derp,
            ServerTls tls,
            ServerSocket listener) {
        this.config = config;
        this.scheduler = scheduler;
        this.derp = derp;
        this.tls = tls;
        this.listener = listener;
        this.acceptLimiter = Double.isInfinite(config.acceptConnectionLimit())
                ? null
                : new TokenBucket(config.acceptConnectionLimit(), config.acceptConnectionBurst(), config.clock());
        if (tls != null) {
            SSLEngine probe = tls.newEngine();
            this.tlsPacketBuffers = new BufferPool(probe.getSession().getPacketBufferSize(), 64);
            this.tlsAppBuffers = new BufferPool(probe.getSession().getApplicationBufferSize(), 64);
        } else {
            this.tlsPacketBuffers = null;
            this.tlsAppBuffers = null;
        }
        this.acceptThread = Thread.ofPlatform()
                .name("derp-accept-" + listener.getLocalPort())
                .daemon(true)
                .unstarted(this::acceptLoop);
    }

    /**
     * Loads or creates the key, sets up TLS for the mode, binds, and starts serving and meshing.
     *
     * @throws IllegalArgumentException for a configuration that cannot work (letsencrypt, a bad hostname)
     * @throws IOException              when the key file, certificates or port cannot be used
     */
    public static DerpRelayServer start(DerpRelayConfig config) throws IOException {
        NodePrivateKey key;
        if (config.privateKeyFile().isPresent()) {
            key = KeyFile.loadOrCreate(config.privateKeyFile().get());
        } else {
            key = config.privateKey().orElseGet(NodePrivateKey::generate);
        }
        ServerTls tls = null;
        if (config.tlsMode() != TlsMode.NONE) {
            tls = ServerTls.create(
                    config.tlsMode(),
                    config.certDir(),
                    config.certificate(),
                    config.hostname(),
                    key.publicKey(),
                    config.metaCert(),
                    config.clock());
        }
        Optional<SSLContext> meshSsl = config.meshSslContext();
        if (meshSsl.isEmpty() && tls != null && tls.caFile().isPresent()) {
            meshSsl = Optional.of(TrustBundles.trusting(tls.caFile().get()));
        }
        // TLS runs on SSLEngine over plain sockets (EngineTlsConnection): no TLS buffers while a connection is idle.
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        try {
            listener.bind(config.bindAddress(), 4096);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on " + config.bindAddress() + ": " + e.getMessage(), e);
        }
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().name("derp-timers").daemon(true).factory());
        scheduler.setRemoveOnCancelPolicy(true);
        DerpServerConfig.Builder b = DerpServerConfig.builder(key)
                .meshKey(config.meshKey().orElse(null))
                .meshPeers(config.meshPeers())
                .sendQueueDepth(config.sendQueueDepth())
                .sendQueueBytes(config.sendQueueBytes())
                .writeTimeout(config.writeTimeout())
                .handshakeTimeout(config.handshakeTimeout())
                .keepAliveInterval(config.keepAliveInterval())
                .verifier(config.verifier())
                .deliveryPolicy(config.deliveryPolicy())
                .clock(config.clock());
        meshSsl.ifPresent(b::meshSslContext);
        DerpServer derp = new DerpServer(b.build(), scheduler);
        DerpRelayServer relay = new DerpRelayServer(config, scheduler, derp, tls, listener);
        derp.start();
        relay.acceptThread.start();
        LOG.info(
                "DERP relay {} listening on {} ({}{})",
                key.publicKey(),
                relay.boundAddress(),
                config.tlsMode() == TlsMode.NONE ? "plain HTTP" : "TLS, hostname " + config.hostname(),
                tls != null && tls.caFile().isPresent() ? ", CA " + tls.caFile().get() : "");
        return relay;
    }

    /** The port actually bound. */
    public int port() {
        return listener.getLocalPort();
    }

    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    public NodePublicKey publicKey() {
        return derp.publicKey();
    }

    /** {@code https://<hostname>:<port>/derp} (or {@code http://} in mode none). */
    public URI url() {
        String host = config.hostname().indexOf(':') >= 0 ? "[" + config.hostname() + "]" : config.hostname();
        return URI.create((tls == null ? "http" : "https") + "://" + host + ":" + port() + "/derp");
    }

    /** The CA certificate clients should trust, in self-signed mode. */
    public Optional<Path> caCertificateFile() {
        return tls == null ? Optional.empty() : tls.caFile();
    }

    public DerpServerStats stats() {
        return derp.stats();
    }

    /** The protocol server (for mesh forwarders and tests). */
    public DerpServer derpServer() {
        return derp;
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.warn("accept failed on {}: {}", boundAddress(), e.toString());
                    sleepQuietly(50); // e.g. out of file descriptors: do not spin
                }
                continue;
            }
            if (acceptLimiter != null && !acceptLimiter.tryTake()) {
                derp.countClosed(ConnectionCloseReason.ACCEPT_RATE_LIMITED);
                closeQuietly(s);
                continue;
            }
            open.add(s);
            if (closed.get()) {
                closeQuietly(s);
                open.remove(s);
                continue;
            }
            Thread.ofVirtual().name("derp-conn").start(() -> handle(s));
        }
    }

    /** One connection: TLS, one HTTP request, then either a response and close, or DERP until it ends. */
    private void handle(Socket s) {
        try {
            UpgradedConnection upgraded = setup(s);
            if (upgraded != null) {
                derp.serve(upgraded); // the setup's locals (request, timer) are gone from this stack by now
            }
        } finally {
            closeQuietly(s);
            open.remove(s);
        }
    }

    /** TLS handshake and the HTTP request within {@code httpTimeout}; the connection to upgrade, or null. */
    private UpgradedConnection setup(Socket s) {
        AtomicBoolean setupOver = new AtomicBoolean();
        ScheduledFuture<?> timeout = scheduler.schedule(
                () -> {
                    if (setupOver.compareAndSet(false, true)) {
                        derp.countClosed(ConnectionCloseReason.HTTP_TIMEOUT);
                        closeQuietly(s);
                    }
                },
                config.httpTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            InputStream rawIn = s.getInputStream();
            OutputStream out = s.getOutputStream();
            int readBuffer = FrameReader.DEFAULT_BUFFER;
            if (tls != null) {
                EngineTlsConnection t = new EngineTlsConnection(s, tls.newEngine(), tlsPacketBuffers, tlsAppBuffers);
                try {
                    t.handshake();
                } catch (IOException | RuntimeException e) {
                    if (setupOver.compareAndSet(false, true)) {
                        derp.countClosed(ConnectionCloseReason.TLS_HANDSHAKE_FAILED);
                        LOG.debug("TLS handshake from {} failed: {}", s.getRemoteSocketAddress(), e.getMessage());
                    }
                    return null;
                }
                rawIn = t.input();
                out = t.output();
                readBuffer = 256; // records arrive decrypted in pooled buffers; a small own buffer is enough
            }
            FrameReader in = new FrameReader(rawIn, readBuffer, readBuffers);
            HttpRequest req;
            try {
                req = HttpRequestParser.parse(in);
            } catch (HttpRequestParser.BadRequest e) {
                if (setupOver.compareAndSet(false, true)) {
                    derp.countClosed(ConnectionCloseReason.HTTP_BAD_REQUEST);
                    respond(
                            out,
                            e.status,
                            reason(e.status),
                            "text/plain; charset=utf-8",
                            e.getMessage() + "\n",
                            false,
                            "");
                }
                return null;
            }
            UpgradedConnection upgraded = route(req, s, in, out);
            if (upgraded == null || !setupOver.compareAndSet(false, true)) {
                return null;
            }
            return upgraded;
        } catch (IOException e) {
            LOG.debug("connection from {} ended: {}", s.getRemoteSocketAddress(), e.toString());
            return null;
        } catch (RuntimeException e) {
            LOG.warn("bug: connection from {} failed", s.getRemoteSocketAddress(), e);
            return null;
        } finally {
            timeout.cancel(false);
        }
    }

    /** Serves a plain endpoint (returns null), or returns the connection to upgrade. */
    private UpgradedConnection route(HttpRequest req, Socket s, FrameReader in, OutputStream out) throws IOException {
        boolean head = req.method().equals("HEAD");
        switch (req.path()) {
            case "/derp" -> {
                String upgrade = req.header("Upgrade").orElse("").toLowerCase(Locale.ROOT);
                if (!upgrade.equals("derp") && !upgrade.equals("websocket")) {
                    respond(
                            out,
                            426,
                            "Upgrade Required",
                            "text/plain; charset=utf-8",
                            "DERP requires connection upgrade\n",
                            head,
                            "X-Content-Type-Options: nosniff\r\n");
                    return null;
                }
                if (upgrade.equals("websocket")
                        && req.header("Sec-WebSocket-Protocol")
                                .orElse("")
                                .toLowerCase(Locale.ROOT)
                                .contains("derp")) {
                    respond(
                            out,
                            501,
                            "Not Implemented",
                            "text/plain; charset=utf-8",
                            "DERP over WebSocket is not supported by this relay; use Upgrade: DERP\n",
                            head,
                            "");
                    return null;
                }
                boolean fastStart = req.header("Derp-Fast-Start").orElse("").equals("1");
                byte[] preamble = fastStart
                        ? new byte[0]
                        : ("HTTP/1.1 101 Switching Protocols\r\n"
                                        + "Upgrade: DERP\r\n"
                                        + "Connection: Upgrade\r\n"
                                        + "Derp-Version: 2\r\n"
                                        + "Derp-Public-Key: " + derp.publicKey().toHex() + "\r\n"
                                        + "\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1);
                return new UpgradedConnection(
                        s,
                        in,
                        out,
                        (InetSocketAddress) s.getRemoteSocketAddress(),
                        preamble,
                        req.header("Ideal-Node").isPresent());
            }
            case "/derp/probe", "/derp/latency-check" -> {
                if (head || req.method().equals("GET")) {
                    respond(out, 200, "OK", null, "", head, "Access-Control-Allow-Origin: *\r\n");
                } else {
                    respond(
                            out,
                            405,
                            "Method Not Allowed",
                            "text/plain; charset=utf-8",
                            "bogus probe method\n",
                            false,
                            "");
                }
            }
            case "/generate_204" -> {
                StringBuilder extra = new StringBuilder(
                        "Cache-Control: no-cache, no-store, must-revalidate, no-transform, max-age=0\r\n");
                req.header("X-Tailscale-Challenge")
                        .filter(c -> CHALLENGE.matcher(c).matches())
                        .ifPresent(c -> extra.append("X-Tailscale-Response: response ")
                                .append(c)
                                .append("\r\n"));
                req.header("X-Nexodus-Challenge")
                        .filter(c -> NEXODUS_CHALLENGE.matcher(c).matches())
                        .ifPresent(c -> extra.append("X-Nexodus-Response: response ")
                                .append(c)
                                .append("\r\n"));
                respond(out, 204, "No Content", null, null, head, extra.toString());
            }
            case "/debug/varz" -> {
                // counters by reason; like the derper's /debug/ pages, only for a client on the relay host itself
                if (s.getInetAddress() != null && s.getInetAddress().isLoopbackAddress()) {
                    respond(
                            out,
                            200,
                            "OK",
                            "text/plain; version=0.0.4; charset=utf-8",
                            Varz.render(derp.stats()),
                            head,
                            "");
                } else {
                    respond(
                            out,
                            403,
                            "Forbidden",
                            "text/plain; charset=utf-8",
                            "debug pages are loopback-only\n",
                            head,
                            "");
                }
            }
            case "/robots.txt" ->
                respond(out, 200, "OK", "text/plain; charset=utf-8", "User-agent: *\nDisallow: /\n", head, "");
            case "/" -> respond(out, 200, "OK", "text/html; charset=utf-8", """
                    <!DOCTYPE html>
                    <html><head><title>Nexodus DERP relay</title></head>
                    <body><h1>Nexodus DERP relay</h1>
                    <p>This is a DERP relay: it carries WireGuard packets between Nexodus devices that cannot reach
                    each other directly. There is nothing to see here with a browser.</p>
                    </body></html>
                    """, head, "");
            default -> respond(out, 404, "Not Found", "text/plain; charset=utf-8", "404 page not found\n", head, "");
        }
        return null;
    }

    /** Writes a complete response with {@code Connection: close}; {@code body} null means no body (204). */
    private static void respond(
            OutputStream out,
            int status,
            String reason,
            String contentType,
            String body,
            boolean head,
            String extraHeaders)
            throws IOException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder("HTTP/1.1 ")
                .append(status)
                .append(' ')
                .append(reason)
                .append("\r\n")
                .append("Server: nexodus-derp\r\n")
                .append("Connection: close\r\n")
                .append(extraHeaders);
        if (contentType != null) {
            h.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null) {
            h.append("Content-Length: ").append(b.length).append("\r\n");
        }
        h.append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(b);
        }
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }

    /** Stops accepting, closes every connection and the mesh, and stops the timers. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        derp.close();
        open.forEach(DerpRelayServer::closeQuietly);
        scheduler.shutdownNow();
        try {
            acceptThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("DERP relay on port {} stopped", listener.getLocalPort());
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
