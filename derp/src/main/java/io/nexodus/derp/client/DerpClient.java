package io.nexodus.derp.client;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.retry.Backoff;
import io.nexodus.derp.crypto.NaclBox;
import io.nexodus.derp.frame.BufferPool;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.FrameFormatException;
import io.nexodus.derp.frame.FrameLimits;
import io.nexodus.derp.frame.ServerInfo;
import io.nexodus.derp.json.JsonException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DERP client that keeps one connection to its server: it connects in the background, reconnects with exponential
 * backoff and jitter after any failure, answers pings, re-sends NotePreferred/WatchConns after each reconnect, and
 * delivers what arrives to a {@link DerpClientListener}. {@link #send} never blocks: packets queue (bounded, oldest
 * dropped) and are dropped while disconnected — the WireGuard traffic on top retransmits.
 */
public final class DerpClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DerpClient.class);
    private static final int MAX_PENDING_PINGS = 16;
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(5);

    private final DerpClientConfig config;
    private final DerpClientListener listener;
    private final SecureRandom random = new SecureRandom();
    /** One dialer per node of the region, in the caller's order; {@link #node} is the one in use. */
    private final List<DerpDialer> dialers;

    private final List<DerpClientConfig> nodes;
    private volatile int node;
    private final Backoff backoff;
    private final BufferPool pool = new BufferPool(16 * 1024, 4);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition stateChanged = stateLock.newCondition();
    private final ConcurrentHashMap<Long, PendingPing> pings = new ConcurrentHashMap<>();
    private volatile ClientSession session;
    private volatile boolean connected;
    private volatile boolean preferred;
    private Thread manager;
    /** Reader thread only: packets were delivered since the last {@link DerpClientListener#onPacketsDelivered}. */
    private boolean undeliveredBurst;

    private final LongAdder connects = new LongAdder();
    private final LongAdder fastStarts = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder packetsSent = new LongAdder();
    private final LongAdder packetsReceived = new LongAdder();
    private final LongAdder dropsNotConnected = new LongAdder();
    private final LongAdder dropsQueueFull = new LongAdder();
    private final LongAdder dropsTooLarge = new LongAdder();
    private final LongAdder writeTimeouts = new LongAdder();

    private record PendingPing(long startNanos, CompletableFuture<Duration> result) {}

    private DerpClient(List<DerpClientConfig> nodes, DerpClientListener listener) {
        this.config = nodes.getFirst();
        this.nodes = List.copyOf(nodes);
        this.listener = listener;
        this.dialers = this.nodes.stream().map(c -> new DerpDialer(c, random)).toList();
        // Full jitter: a relay restart or a network change cuts many clients at once; drawing from the whole window
        // spreads their reconnects (TLS handshakes) best and has the shortest expected wait, which matters for a data
        // path. Overload is the relay's accept limiter's business, not the client's.
        this.backoff = new Backoff(config.backoffMin(), config.backoffMax(), Backoff.Jitter.FULL, random);
        this.preferred = config.preferred();
    }

    /** Creates the client and starts connecting in the background. */
    public static DerpClient start(DerpClientConfig config, DerpClientListener listener) {
        return start(List.of(config), listener);
    }

    /**
     * Creates a client for several nodes of one region (servers that mesh with each other) and starts connecting to
     * the first. When connecting to the node in use fails (a lost connection is first retried on the same node), the
     * next node in the list is tried, wrapping around: a client whose node died moves to another node of the region.
     * The nodes differ in where to connect and what to trust ({@code url}, {@code dialAddress}, {@code sslContext},
     * {@code serverName}); everything else is taken from the first.
     *
     * @throws IllegalArgumentException when the list is empty or the nodes do not share the private key
     */
    public static DerpClient start(List<DerpClientConfig> nodes, DerpClientListener listener) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no DERP node to connect to");
        }
        for (DerpClientConfig n : nodes) {
            if (!n.privateKey().equals(nodes.getFirst().privateKey())) {
                throw new IllegalArgumentException("the nodes of one DERP client must share its key");
            }
        }
        DerpClient c = new DerpClient(nodes, listener);
        c.manager = c.threads().name("derp-client-" + nodes.getFirst().host()).start(c::run);
        return c;
    }

    /** The URL of the node in use (or being connected to). */
    public URI currentUrl() {
        return nodes.get(node).url();
    }

    public NodePublicKey publicKey() {
        return config.privateKey().publicKey();
    }

    public DerpClientConfig config() {
        return config;
    }

    /** Whether the handshake with the server has completed on the current connection. */
    public boolean isConnected() {
        return connected;
    }

    /** The current server's key, when connected. */
    public Optional<NodePublicKey> serverKey() {
        ClientSession s = session;
        return connected && s != null ? Optional.of(s.serverKey) : Optional.empty();
    }

    /** Waits until connected; false on timeout. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        stateLock.lock();
        try {
            while (!connected) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed.get()) {
                    return false;
                }
                stateChanged.awaitNanos(left);
            }
            return true;
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Queues {@code packet} for {@code destination}. Returns false when it was refused (not connected, larger than
     * 64 KiB, or closed); a full queue drops the oldest queued packet instead and returns true.
     */
    public boolean send(NodePublicKey destination, byte[] packet) {
        return enqueuePacket(new Frame.SendPacket(destination, packet), packet.length);
    }

    /**
     * Queues several packets for {@code destination} at once, waking the writer once, so they leave in as few TLS
     * records as fit (e.g. one WireGuard send batch). Returns how many were queued (all, unless refused as in
     * {@link #send}); a full queue drops the oldest, as for {@link #send}.
     */
    public int sendAll(NodePublicKey destination, List<byte[]> packets) {
        ClientSession s = session;
        if (s == null || !connected) {
            dropsNotConnected.add(packets.size());
            return 0;
        }
        List<Frame> frames = new java.util.ArrayList<>(packets.size());
        for (byte[] p : packets) {
            if (p.length > FrameLimits.MAX_PACKET_SIZE) {
                dropsTooLarge.increment();
            } else {
                frames.add(new Frame.SendPacket(destination, p));
            }
        }
        int dropped = s.enqueueAllData(frames, config.sendQueueDepth());
        if (dropped < 0) {
            dropsNotConnected.add(frames.size());
            return 0;
        }
        dropsQueueFull.add(dropped);
        return frames.size();
    }

    /** Mesh only: queues a packet from {@code source} (a client of our server) for another server's client. */
    public boolean forwardPacket(NodePublicKey source, NodePublicKey destination, byte[] packet) {
        return enqueuePacket(new Frame.ForwardPacket(source, destination, packet), packet.length);
    }

    private boolean enqueuePacket(Frame f, int length) {
        if (length > FrameLimits.MAX_PACKET_SIZE) {
            dropsTooLarge.increment();
            return false;
        }
        ClientSession s = session;
        Boolean droppedOld = (s == null || !connected) ? null : s.enqueueData(f, config.sendQueueDepth());
        if (droppedOld == null) {
            dropsNotConnected.increment();
            return false;
        }
        if (droppedOld) {
            dropsQueueFull.increment();
        }
        return true;
    }

    /** Mesh only: asks the server to close every connection of {@code peer}. */
    public boolean closePeer(NodePublicKey peer) {
        ClientSession s = session;
        return s != null && s.enqueueControl(new Frame.ClosePeer(peer));
    }

    /** Tells the server whether it is our home relay; remembered and re-sent after reconnects. */
    public void notePreferred(boolean isPreferred) {
        this.preferred = isPreferred;
        ClientSession s = session;
        if (s != null) {
            s.enqueueControl(new Frame.NotePreferred(isPreferred));
        }
    }

    /** Sends a Ping and completes with the round-trip time, or exceptionally after 5 s or when not connected. */
    public CompletableFuture<Duration> ping() {
        ClientSession s = session;
        if (s == null || !connected) {
            return CompletableFuture.failedFuture(new IOException("not connected"));
        }
        if (pings.size() >= MAX_PENDING_PINGS) {
            return CompletableFuture.failedFuture(new IOException("too many pings in flight"));
        }
        long data = random.nextLong();
        PendingPing p = new PendingPing(System.nanoTime(), new CompletableFuture<>());
        pings.put(data, p);
        // the dependent stage only forgets the ping; nothing waits for it
        CompletableFuture<?> _ = p.result()
                .orTimeout(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((d, e) -> pings.remove(data));
        if (!s.enqueueControl(new Frame.Ping(data))) {
            p.result().completeExceptionally(new IOException("connection closing"));
        }
        return p.result();
    }

    public DerpClientStats stats() {
        return new DerpClientStats(
                connects.sum(),
                fastStarts.sum(),
                connectFailures.sum(),
                packetsSent.sum(),
                packetsReceived.sum(),
                dropsNotConnected.sum(),
                dropsQueueFull.sum(),
                dropsTooLarge.sum(),
                writeTimeouts.sum());
    }

    /** The reader (the manager loop) and the writer: hot packet loops, so platform threads unless configured. */
    private Thread.Builder threads() {
        return config.platformThreads() ? Thread.ofPlatform().daemon(true) : Thread.ofVirtual();
    }

    private void run() {
        int failures = 0;
        while (!closed.get()) {
            ClientSession s = null;
            String endReason;
            boolean handshakeDone = false;
            try {
                s = dialers.get(node).dial(pool);
                session = s;
                if (closed.get()) {
                    break;
                }
                s.socket.setSoTimeout(
                        (int) Math.min(Integer.MAX_VALUE, config.readTimeout().toMillis()));
                ClientSession writerSession = s;
                threads()
                        .name("derp-client-writer")
                        .start(() -> writerSession.writeLoop(packetsSent::increment, config.clock()));
                Thread.ofVirtual().name("derp-client-watchdog").start(() -> watchWrites(writerSession));
                if (preferred) {
                    s.enqueueControl(new Frame.NotePreferred(true));
                }
                if (config.watchConnections()) {
                    s.enqueueControl(new Frame.WatchConns());
                }
                endReason = readLoop(s);
            } catch (IOException e) {
                endReason = e.getMessage() == null ? e.toString() : e.getMessage();
            } catch (RuntimeException e) {
                LOG.warn("bug in the DERP client for {}", currentUrl(), e);
                endReason = e.toString();
            } finally {
                handshakeDone = connected;
                if (s != null) {
                    s.close();
                    s.in.release();
                }
                session = null;
                setConnected(false);
                failPendingPings();
            }
            if (closed.get()) {
                break;
            }
            if (handshakeDone) {
                failures = 0;
                String why = endReason;
                notify(() -> listener.onDisconnected(why));
                LOG.info("DERP connection to {} lost: {}; reconnecting", currentUrl(), endReason);
            } else {
                connectFailures.increment();
                LOG.debug("DERP connect to {} failed: {}", currentUrl(), endReason);
                if (nodes.size() > 1) {
                    node = (node + 1) % nodes.size();
                    LOG.info("DERP: trying the next node of the region, {}", currentUrl());
                }
            }
            failures++;
            Duration delay = backoff.delay(failures);
            try {
                stateLock.lock();
                try {
                    if (!closed.get()) {
                        stateChanged.await(delay.toMillis(), TimeUnit.MILLISECONDS);
                    }
                } finally {
                    stateLock.unlock();
                }
            } catch (InterruptedException e) {
                break;
            }
        }
    }

    /** Ends the session when a write has been stuck past the write timeout (the server stopped reading). */
    private void watchWrites(ClientSession s) {
        long limit = config.writeTimeout().toMillis();
        long tick = Math.max(10, Math.min(1000, limit / 4));
        try {
            while (!s.isClosed()) {
                Thread.sleep(tick);
                long started = s.writeStartedMillis;
                if (started != 0 && config.clock().millis() - started > limit) {
                    writeTimeouts.increment();
                    LOG.info("DERP write to {} stuck for over {} ms; reconnecting", currentUrl(), limit);
                    s.close(); // the reader fails and the manager reconnects
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads frames until the connection fails; returns why it ended. */
    private String readLoop(ClientSession s) throws IOException {
        while (!closed.get()) {
            if (undeliveredBurst && s.in.buffered() == 0 && s.in.stream().available() == 0) {
                undeliveredBurst = false;
                notify(listener::onPacketsDelivered); // the next read may wait: let the listener flush its batch
            }
            Frame f;
            try {
                f = s.in.readFrame(FrameLimits.CLIENT);
            } catch (FrameFormatException e) {
                if (e.streamInSync()) {
                    LOG.debug("dropping malformed frame from {}: {}", currentUrl(), e.getMessage());
                    continue;
                }
                return e.getMessage();
            } catch (SocketTimeoutException e) {
                return "no frame from the server for " + config.readTimeout().toSeconds() + " s";
            }
            switch (f) {
                case Frame.RecvPacket p -> {
                    packetsReceived.increment();
                    notify(() -> listener.onPacket(p.source(), p.packet()));
                    undeliveredBurst = true;
                }
                case Frame.ServerInfoFrame si -> onServerInfo(s, si);
                case Frame.KeepAlive k -> {}
                case Frame.Ping p -> s.enqueueControl(new Frame.Pong(p.data()));
                case Frame.Pong p -> {
                    PendingPing pending = pings.remove(p.data());
                    if (pending != null) {
                        pending.result().complete(Duration.ofNanos(System.nanoTime() - pending.startNanos()));
                    }
                }
                case Frame.PeerGone g -> notify(() -> listener.onPeerGone(g.peer(), g.reason()));
                case Frame.PeerPresent p -> notify(() -> listener.onPeerPresent(p));
                case Frame.Health h -> notify(() -> listener.onHealth(h.problem()));
                case Frame.Restarting r -> notify(() -> listener.onRestarting(r.reconnectInMillis(), r.tryForMillis()));
                default -> {} // ServerKey after a fast start, unknown types: ignored as Go's client does
            }
        }
        return "closed";
    }

    private void onServerInfo(ClientSession s, Frame.ServerInfoFrame si) throws IOException {
        Optional<byte[]> opened = NaclBox.openFrom(config.privateKey(), s.serverKey, si.sealedInfo());
        if (opened.isEmpty()) {
            throw new IOException("ServerInfo does not open with the server's key");
        }
        try {
            ServerInfo.parse(new String(opened.get(), StandardCharsets.UTF_8));
        } catch (JsonException e) {
            throw new IOException("bad ServerInfo JSON: " + e.getMessage());
        }
        if (!connected) {
            connects.increment();
            if (s.fastStart) {
                fastStarts.increment();
            }
            setConnected(true);
            LOG.debug(
                    "connected to DERP server {} at {}{}",
                    s.serverKey,
                    currentUrl(),
                    s.fastStart ? " (fast start)" : "");
            notify(() -> listener.onConnected(s.serverKey));
        }
    }

    private void setConnected(boolean v) {
        stateLock.lock();
        try {
            connected = v;
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    private void failPendingPings() {
        for (PendingPing p : pings.values()) {
            p.result().completeExceptionally(new IOException("connection lost"));
        }
        pings.clear();
    }

    private void notify(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("DERP client listener failed", e);
        }
    }

    /** Stops reconnecting and closes the connection. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ClientSession s = session;
        if (s != null) {
            s.close();
        }
        stateLock.lock();
        try {
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
        Thread m = manager;
        if (m != null) {
            try {
                m.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
