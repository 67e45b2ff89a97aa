package io.nexodus.derp.server;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.crypto.NaclBox;
import io.nexodus.derp.frame.BufferPool;
import io.nexodus.derp.frame.ClientInfo;
import io.nexodus.derp.frame.Disco;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.Frame.PeerGone;
import io.nexodus.derp.frame.Frame.PeerPresent;
import io.nexodus.derp.frame.Frame.RecvPacket;
import io.nexodus.derp.frame.FrameFormatException;
import io.nexodus.derp.frame.PeerGoneReason;
import io.nexodus.derp.frame.ServerInfo;
import io.nexodus.derp.json.JsonException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DERP v2 relay: key exchange, routing by destination key, per-connection bounded queues, keepalives, duplicate
 * connections, mesh forwarding and counters. It speaks DERP on connections the HTTP layer has upgraded
 * ({@link #serve(UpgradedConnection)}); it knows nothing of sockets being accepted.
 *
 * <p>The sender of a packet is always the key proven in the handshake: SendPacket carries only the destination, and
 * ForwardPacket (which names a source) is accepted only from mesh peers holding the mesh key.
 */
public final class DerpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DerpServer.class);
    private static final long HOME_MOVE_GRACE_MILLIS = 5_000;
    private static final long KEEPALIVE_JITTER_MILLIS = 5_000;
    /** How many receivers a source remembers (for PeerGone) before closed ones are pruned. */
    private static final int RECEIVER_PRUNE_AT = 64;

    private final DerpServerConfig config;
    private final NodePrivateKey privateKey;
    private final NodePublicKey publicKey;
    private final ScheduledExecutorService scheduler;
    private final ThreadFactory writerThreads =
            Thread.ofVirtual().name("derp-writer").factory();
    private final BufferPool writeBuffers = new BufferPool(16 * 1024, 64);
    private final SecureRandom random = new SecureRandom();
    private final DerpServerMetrics metrics = new DerpServerMetrics();

    /** Registry lock: registration, duplicate sets, watchers and PeerGone bookkeeping. */
    private final Object registry = new Object();

    private final ConcurrentHashMap<NodePublicKey, ClientSet> clients = new ConcurrentHashMap<>();
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<ClientConnection> watchers = ConcurrentHashMap.newKeySet();
    /** Mesh forwarders per key, first registered preferred. */
    private final ConcurrentHashMap<NodePublicKey, List<PacketForwarder>> forwarders = new ConcurrentHashMap<>();
    /** For each source key, the connections that received packets from it: they get PeerGone when it leaves. */
    private final ConcurrentHashMap<NodePublicKey, Set<ClientConnection>> sentTo = new ConcurrentHashMap<>();

    /**
     * Mesh connections by peer (URL and dial address: replicas behind one shared name differ only in the address),
     * the configured ones and those added at run time ({@link #addMeshPeer}).
     */
    private final ConcurrentHashMap<MeshPeer, MeshWatcher> meshWatchers = new ConcurrentHashMap<>();

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private ScheduledFuture<?> housekeeping;

    /**
     * @param scheduler runs handshake deadlines and the housekeeping tick (keepalives, write timeouts); shared with the
     *                  HTTP layer, owned by the caller
     */
    public DerpServer(DerpServerConfig config, ScheduledExecutorService scheduler) {
        this.config = config;
        this.privateKey = config.privateKey();
        this.publicKey = privateKey.publicKey();
        this.scheduler = scheduler;
    }

    /** Starts the housekeeping tick (every 500 ms) and the mesh watchers. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        housekeeping = scheduler.scheduleWithFixedDelay(this::housekeeping, 500, 500, TimeUnit.MILLISECONDS);
        for (MeshPeer peer : config.meshPeers()) {
            addMeshPeer(peer, config.meshSslContext());
        }
    }

    /**
     * Starts meshing with {@code peer} (a server of the same region that appeared after start, e.g. a service replica
     * found in the shared database). A peer already meshed with (same URL and dial address) is left alone; peers that
     * share a URL but are dialled at different addresses (replicas behind one name) are different peers.
     *
     * @param ssl trust for that peer's TLS certificate; empty = the server's mesh trust
     * @return whether a new mesh connection was started
     * @throws IllegalStateException without a mesh key
     */
    public boolean addMeshPeer(MeshPeer peer, Optional<SSLContext> ssl) {
        if (config.meshKey().isEmpty()) {
            throw new IllegalStateException("meshing needs a mesh key");
        }
        if (closed.get()) {
            return false;
        }
        boolean[] added = {false};
        MeshWatcher w = meshWatchers.computeIfAbsent(peer, u -> {
            added[0] = true;
            return new MeshWatcher(this, peer, config.meshKey().get(), ssl.isPresent() ? ssl : config.meshSslContext());
        });
        if (added[0]) {
            w.start();
        }
        return added[0];
    }

    /** Stops meshing with {@code peer}; the clients reachable through it are withdrawn. */
    public boolean removeMeshPeer(MeshPeer peer) {
        MeshWatcher w = meshWatchers.remove(peer);
        if (w == null) {
            return false;
        }
        w.close();
        return true;
    }

    /** The mesh peers this server connects to. */
    public Set<MeshPeer> meshPeers() {
        return Set.copyOf(meshWatchers.keySet());
    }

    public NodePublicKey publicKey() {
        return publicKey;
    }

    NodePrivateKey privateKey() {
        return privateKey;
    }

    public DerpServerConfig config() {
        return config;
    }

    Clock clock() {
        return config.clock();
    }

    Logger log() {
        return LOG;
    }

    int sendQueueDepth() {
        return config.sendQueueDepth();
    }

    int sendQueueBytes() {
        return config.sendQueueBytes();
    }

    void startWriter(Runnable drain) {
        writerThreads.newThread(drain).start();
    }

    /** Counts a connection the HTTP layer refused or closed before it reached DERP. */
    public void countClosed(ConnectionCloseReason reason) {
        metrics.closed(reason);
    }

    /**
     * Runs the DERP protocol on an upgraded connection until it ends: sends ServerKey (after the preamble, in one
     * write), reads and verifies ClientInfo within the handshake timeout, answers ServerInfo, registers the client and
     * reads its frames. Never throws; the socket is closed on return.
     */
    public void serve(UpgradedConnection conn) {
        metrics.accepts.increment();
        ClientConnection c = new ClientConnection(
                this, conn, writeBuffers, metrics, clock().millis(), random.nextLong(KEEPALIVE_JITTER_MILLIS));
        boolean registered = false;
        try {
            if (!admit(c, conn)) {
                return;
            }
            register(c);
            registered = true;
            c.startHeldWriter(); // ServerInfo goes out now that packets for this client can be routed
            c.readLoop(); // the handshake's locals (deadline timer, JSON) are off this stack by now
        } catch (RuntimeException e) {
            LOG.warn("bug: {} failed", c, e);
        } finally {
            if (registered) {
                unregister(c);
            }
            c.close(null);
            conn.in().release(); // this (the reader's) thread: give back a big read buffer if one is lent
        }
    }

    /** The key exchange under the handshake deadline; true when the client is admitted and ServerInfo is queued. */
    private boolean admit(ClientConnection c, UpgradedConnection conn) {
        AtomicBoolean handshakeOver = new AtomicBoolean();
        ScheduledFuture<?> deadline = scheduler.schedule(
                () -> {
                    if (handshakeOver.compareAndSet(false, true)) {
                        c.close(ConnectionCloseReason.HANDSHAKE_TIMEOUT);
                    }
                },
                config.handshakeTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            ConnectionCloseReason refused = handshake(c, conn);
            deadline.cancel(false);
            if (!handshakeOver.compareAndSet(false, true)) {
                return false; // the deadline closed it
            }
            if (refused != null) {
                c.close(refused);
                return false;
            }
            byte[] json = ServerInfo.current().toJson().getBytes(StandardCharsets.UTF_8);
            c.enqueueFirstHoldingWriter(new Frame.ServerInfoFrame(NaclBox.sealTo(privateKey, c.key, json, random)));
            return true;
        } catch (IOException e) {
            LOG.debug("{} ended during the handshake: {}", c, e.toString());
            return false;
        } catch (InvalidKeyException e) {
            c.close(ConnectionCloseReason.HANDSHAKE_AUTH_FAILED);
            return false;
        } finally {
            deadline.cancel(false);
        }
    }

    /** Sends ServerKey and checks ClientInfo; returns null when admitted, else why not. */
    private ConnectionCloseReason handshake(ClientConnection c, UpgradedConnection conn) throws IOException {
        c.writeHandshake(conn.preamble(), new Frame.ServerKey(publicKey));
        Frame first;
        try {
            first = c.readFrame();
        } catch (FrameFormatException e) {
            LOG.debug("bad first frame from {}: {}", conn.remote(), e.getMessage());
            return ConnectionCloseReason.BAD_HANDSHAKE;
        }
        if (!(first instanceof Frame.ClientInfoFrame ci)) {
            LOG.debug("first frame from {} is {}, not ClientInfo", conn.remote(), first);
            return ConnectionCloseReason.BAD_HANDSHAKE;
        }
        Optional<byte[]> opened = NaclBox.openFrom(privateKey, ci.clientKey(), ci.sealedInfo());
        if (opened.isEmpty()) {
            LOG.debug("ClientInfo from {} does not open with key {}", conn.remote(), ci.clientKey());
            return ConnectionCloseReason.HANDSHAKE_AUTH_FAILED;
        }
        ClientInfo info;
        try {
            info = ClientInfo.parse(new String(opened.get(), StandardCharsets.UTF_8));
        } catch (JsonException e) {
            LOG.debug("bad ClientInfo JSON from {}: {}", conn.remote(), e.getMessage());
            return ConnectionCloseReason.BAD_CLIENT_INFO;
        }
        boolean canMesh = false;
        if (info.meshKey().isPresent()) {
            if (config.meshKey().isEmpty()
                    || !config.meshKey().get().matches(info.meshKey().get())) {
                LOG.warn(
                        "refusing {} ({}): it presented a mesh key that is not this server's",
                        ci.clientKey(),
                        conn.remote());
                return ConnectionCloseReason.MESH_KEY_MISMATCH;
            }
            canMesh = true;
        }
        if (!canMesh && !config.verifier().admit(ci.clientKey(), conn.remote())) {
            return ConnectionCloseReason.CLIENT_NOT_VERIFIED;
        }
        c.key = ci.clientKey();
        c.info = info;
        c.canMesh = canMesh;
        c.nextKeepAliveMillis = clock().millis() + config.keepAliveInterval().toMillis() + c.keepAliveJitterMillis();
        return null;
    }

    private int presentFlags(ClientConnection c) {
        int f = 0;
        if (c.canMesh) {
            f |= PeerPresent.FLAG_IS_MESH_PEER;
        }
        if (c.info.isProber()) {
            f |= PeerPresent.FLAG_IS_PROBER;
        }
        if (c.notIdeal()) {
            f |= PeerPresent.FLAG_NOT_IDEAL;
        }
        return f == 0 ? PeerPresent.FLAG_IS_REGULAR : f;
    }

    private void register(ClientConnection c) {
        synchronized (registry) {
            ClientSet set = clients.computeIfAbsent(c.key, ClientSet::new);
            set.add(c);
            c.set = set;
            if (set.size > 1) {
                metrics.totalDupClientConns.increment();
                LOG.info("{} is a duplicate connection for its key; the newest is active", c);
            }
            connections.add(c);
            PeerPresent present = new PeerPresent(c.key, Optional.of(c.remote()), presentFlags(c));
            for (ClientConnection w : watchers) {
                w.enqueuePeerUpdate(c.key, present);
            }
        }
        LOG.debug("registered {}", c);
    }

    private void unregister(ClientConnection c) {
        synchronized (registry) {
            connections.remove(c);
            watchers.remove(c);
            ClientSet set = clients.get(c.key);
            if (set == null || !set.remove(c)) {
                return;
            }
            if (set.isEmpty()) {
                clients.remove(c.key, set);
                PeerGone gone = new PeerGone(c.key, PeerGoneReason.DISCONNECTED);
                for (ClientConnection w : watchers) {
                    w.enqueuePeerUpdate(c.key, gone);
                }
                if (!forwarders.containsKey(c.key)) {
                    notePeerGoneFromRegionLocked(c.key);
                }
            }
        }
        LOG.debug("unregistered {}", c);
    }

    /** {@code key} is neither local nor behind a mesh peer: tell everyone who received from it. */
    private void notePeerGoneFromRegionLocked(NodePublicKey key) {
        Set<ClientConnection> receivers = sentTo.remove(key);
        if (receivers == null) {
            return;
        }
        PeerGone gone = new PeerGone(key, PeerGoneReason.DISCONNECTED);
        for (ClientConnection r : receivers) {
            if (!r.isClosed() && r.enqueueControl(gone)) {
                metrics.peerGoneDisconnectedFrames.increment();
            }
        }
    }

    void noteActivity(ClientConnection c) {
        ClientSet set = c.set;
        if (set != null && set.size > 1 && set.active != c) {
            synchronized (registry) {
                set.noteActivity(c);
            }
        }
    }

    /** A SendPacket from {@code from}: the source is {@code from}'s proven key. */
    void handleSend(ClientConnection from, NodePublicKey dst, byte[] packet) {
        metrics.packetsReceived.increment();
        metrics.bytesReceived.add(packet.length);
        boolean disco = Disco.looksLikeDisco(packet);
        ClientSet set = clients.get(dst);
        List<PacketForwarder> fwd = set != null ? null : forwarders.get(dst);
        // asked only for a destination that is here or behind a mesh peer: an unknown key costs the policy nothing
        if ((set != null || (fwd != null && !fwd.isEmpty()))
                && !config.deliveryPolicy().mayDeliver(from.key, dst)) {
            metrics.drop(DropReason.POLICY, packet.length);
            return;
        }
        if (set != null) {
            ClientConnection to = set.active;
            if (to == null) {
                metrics.drop(DropReason.DUP_CLIENT, packet.length);
                return;
            }
            if (!from.isLastReceiver(to)) {
                noteSentTo(from.key, to);
            }
            to.enqueuePacket(new RecvPacket(from.key, packet), disco, from);
            return;
        }
        if (fwd != null && !fwd.isEmpty()) {
            if (fwd.getFirst().forwardPacket(from.key, dst, packet)) {
                metrics.packetsForwardedOut.increment();
            } else {
                metrics.drop(DropReason.FORWARD_FAILED, packet.length);
            }
            return;
        }
        metrics.drop(DropReason.UNKNOWN_DEST, packet.length);
        if (disco && from.mayReplyNotHere() && from.enqueueControl(new PeerGone(dst, PeerGoneReason.NOT_HERE))) {
            metrics.peerGoneNotHereFrames.increment();
        }
    }

    /** A ForwardPacket from a mesh peer: delivered to local clients only (one hop, never re-forwarded). */
    void handleForward(ClientConnection from, Frame.ForwardPacket fp) {
        metrics.packetsReceived.increment();
        metrics.bytesReceived.add(fp.packet().length);
        metrics.packetsForwardedIn.increment();
        ClientSet set = clients.get(fp.destination());
        ClientConnection to = set == null ? null : set.active;
        if (to == null) {
            metrics.drop(set == null ? DropReason.UNKNOWN_DEST_ON_FWD : DropReason.DUP_CLIENT, fp.packet().length);
            return;
        }
        // the sending replica asked already; asking again keeps a replica with an older view from leaking
        if (!config.deliveryPolicy().mayDeliver(fp.source(), fp.destination())) {
            metrics.drop(DropReason.POLICY, fp.packet().length);
            return;
        }
        noteSentTo(fp.source(), to);
        to.enqueuePacket(new RecvPacket(fp.source(), fp.packet()), Disco.looksLikeDisco(fp.packet()), from);
    }

    private void noteSentTo(NodePublicKey src, ClientConnection to) {
        Set<ClientConnection> set = sentTo.computeIfAbsent(src, k -> ConcurrentHashMap.newKeySet());
        if (set.add(to) && set.size() > RECEIVER_PRUNE_AT) {
            set.removeIf(ClientConnection::isClosed);
        }
    }

    void notePreferred(ClientConnection c, boolean preferred) {
        if (c.preferred == preferred) {
            return;
        }
        c.preferred = preferred;
        if (clock().millis() - c.connectedAtMillis > HOME_MOVE_GRACE_MILLIS) {
            (preferred ? metrics.homeMovesIn : metrics.homeMovesOut).increment();
        }
    }

    /** WatchConns from a mesh peer: flood PeerPresent for every current connection, then stream changes. */
    void addWatcher(ClientConnection w) {
        synchronized (registry) {
            if (!watchers.add(w)) {
                return;
            }
            for (ClientConnection c : connections) {
                w.enqueuePeerUpdate(c.key, new PeerPresent(c.key, Optional.of(c.remote()), presentFlags(c)));
            }
        }
    }

    /** ClosePeer from a mesh peer: close every connection of {@code key}. */
    void closePeer(NodePublicKey key) {
        ClientSet set = clients.get(key);
        if (set == null) {
            return;
        }
        List<ClientConnection> members;
        synchronized (registry) {
            members = set.members();
        }
        members.forEach(c -> c.close(ConnectionCloseReason.CLOSED_BY_MESH_PEER));
    }

    /**
     * Closes every connection of {@code key} here ({@link ConnectionCloseReason#EVICTED}): its admission was
     * withdrawn (a deleted device). A new connection is admitted only if the {@link ClientVerifier} says so again.
     * Returns how many connections were closed.
     */
    public int evict(NodePublicKey key) {
        ClientSet set = clients.get(key);
        if (set == null) {
            return 0;
        }
        List<ClientConnection> members;
        synchronized (registry) {
            members = set.members();
        }
        members.forEach(c -> c.close(ConnectionCloseReason.EVICTED));
        return members.size();
    }

    /** Registers a mesh peer that can reach {@code key}. Local clients always win over forwarders. */
    public void addPacketForwarder(NodePublicKey key, PacketForwarder fwd) {
        forwarders.compute(key, (k, list) -> {
            if (list == null) {
                return List.of(fwd);
            }
            if (list.contains(fwd)) {
                return list;
            }
            List<PacketForwarder> l = new ArrayList<>(list);
            l.add(fwd);
            return List.copyOf(l);
        });
    }

    /** Removes a forwarder; when {@code key} is then unreachable in the region, its receivers get PeerGone. */
    public void removePacketForwarder(NodePublicKey key, PacketForwarder fwd) {
        synchronized (registry) {
            List<PacketForwarder> left = forwarders.computeIfPresent(key, (k, list) -> {
                List<PacketForwarder> l = new ArrayList<>(list);
                l.remove(fwd);
                return l.isEmpty() ? null : List.copyOf(l);
            });
            if (left == null && !clients.containsKey(key)) {
                notePeerGoneFromRegionLocked(key);
            }
        }
    }

    /** One housekeeping tick: due keepalives are queued and writes stuck beyond the write timeout are closed. */
    public void housekeeping() {
        long now = clock().millis();
        long keepAlive = config.keepAliveInterval().toMillis();
        for (ClientConnection c : connections) {
            long started = c.writeStartedMillis;
            long limit = (c.canMesh ? config.meshWriteTimeout() : config.writeTimeout()).toMillis();
            if (started != 0 && now - started > limit) {
                c.close(ConnectionCloseReason.WRITE_TIMEOUT);
                continue;
            }
            if (now >= c.nextKeepAliveMillis) {
                c.nextKeepAliveMillis = now + keepAlive + c.keepAliveJitterMillis();
                c.enqueueControl(new Frame.KeepAlive());
            }
        }
    }

    /** How many connections are inside a write right now (tests wait for 0 before moving a fake clock). */
    int writesInProgress() {
        int n = 0;
        for (ClientConnection c : connections) {
            if (c.writeStartedMillis != 0) {
                n++;
            }
        }
        return n;
    }

    /** The counters and gauges now. */
    public DerpServerStats stats() {
        long home = 0;
        long notIdeal = 0;
        for (ClientConnection c : connections) {
            if (c.preferred) {
                home++;
            }
            if (c.notIdeal()) {
                notIdeal++;
            }
        }
        long dupKeys = 0;
        long dupConns = 0;
        for (ClientSet s : clients.values()) {
            int n = s.size;
            if (n > 1) {
                dupKeys++;
                dupConns += n;
            }
        }
        long remote = forwarders.keySet().stream()
                .filter(k -> !clients.containsKey(k))
                .count();
        DerpServerMetrics m = metrics;
        return new DerpServerStats(
                connections.size(),
                home,
                notIdeal,
                watchers.size(),
                clients.size(),
                remote,
                dupKeys,
                dupConns,
                m.totalDupClientConns.sum(),
                m.accepts.sum(),
                m.packetsReceived.sum(),
                m.bytesReceived.sum(),
                m.packetsSent.sum(),
                m.bytesSent.sum(),
                m.packetsForwardedOut.sum(),
                m.packetsForwardedIn.sum(),
                m.pingsReceived.sum(),
                m.pongsSent.sum(),
                m.keepAlivesSent.sum(),
                m.peerGoneDisconnectedFrames.sum(),
                m.peerGoneNotHereFrames.sum(),
                m.unknownFrames.sum(),
                m.homeMovesIn.sum(),
                m.homeMovesOut.sum(),
                m.connectionsClosed().getOrDefault(ConnectionCloseReason.WRITE_TIMEOUT, 0L),
                m.packetsDropped(),
                m.bytesDropped(),
                m.connectionsClosed());
    }

    /** Whether a client with {@code key} is connected here. */
    public boolean isConnected(NodePublicKey key) {
        return clients.containsKey(key);
    }

    /** Stops mesh watchers and closes every connection. The scheduler belongs to the caller. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (housekeeping != null) {
            housekeeping.cancel(false);
        }
        meshWatchers.values().forEach(MeshWatcher::close);
        meshWatchers.clear();
        for (ClientConnection c : connections) {
            c.close(ConnectionCloseReason.SERVER_SHUTDOWN);
        }
    }
}
