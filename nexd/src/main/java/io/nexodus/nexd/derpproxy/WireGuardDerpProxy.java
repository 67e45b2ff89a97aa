package io.nexodus.nexd.derpproxy;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.nexd.endpoint.Addresses;
import io.nexodus.nexd.peering.DerpEndpoints;
import io.nexodus.nexd.peering.DerpRelay;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wireguard-derp proxy of the DERP seed. Each relayed peer gets a UDP socket on its own loopback address
 * ({@code 127.x.y.z}, {@link LoopbackAddresses}); that address is the endpoint of the peer's WireGuard entry. What
 * WireGuard sends there is wrapped into a DERP SendPacket to the peer's public key (a WireGuard key is an X25519
 * public key, the same 32 bytes as a DERP node key, and upstream Nexodus uses it as such) over the active relay's TLS
 * connection; what a relay delivers from key K is written to WireGuard's listen port from K's loopback socket, so
 * WireGuard sees K at its loopback endpoint. Real sockets on {@code lo}: works with any WireGuard (the in-process
 * one and wireguard-go alike).
 * <p>
 * Threads: one platform thread per peer socket (blocking receive; never throws out of its loop) and the DERP clients'
 * reader threads, which write to WireGuard directly (a loopback datagram send does not block for long). Buffering is
 * the DERP client's bounded send queue (full = drop, counted) and the sockets' kernel buffers.
 */
public final class WireGuardDerpProxy implements DerpEndpoints, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WireGuardDerpProxy.class);
    private static final int MAX_PEERS = 4096;
    private static final int MAX_DATAGRAM = 65535;

    /** What the proxy did, cumulative. */
    public record Counters(
            long toRelay,
            long fromRelay,
            long droppedNoRelay,
            long droppedRelayQueue,
            long droppedUnknownPeer,
            long writeErrors) {}

    private final class PeerSocket {
        final String key;
        final NodePublicKey node;
        final DatagramSocket socket;
        volatile SocketAddress wireGuard;

        PeerSocket(String key, DatagramSocket socket) {
            this.key = key;
            this.node = NodePublicKey.fromBase64(key);
            this.socket = socket;
            this.wireGuard = wireGuardAddress;
        }

        InetSocketAddress endpoint() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        /** WireGuard → relay. */
        void pump() {
            byte[] buf = new byte[MAX_DATAGRAM];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            while (!socket.isClosed()) {
                try {
                    p.setLength(buf.length);
                    socket.receive(p);
                    wireGuard = p.getSocketAddress(); // answer where WireGuard sends from
                    DerpClient c = active;
                    if (c == null) {
                        droppedNoRelay.increment();
                        continue;
                    }
                    byte[] packet = Arrays.copyOf(buf, p.getLength());
                    if (c.send(node, packet)) {
                        toRelay.increment();
                    } else {
                        droppedRelayQueue.increment();
                    }
                } catch (IOException e) {
                    if (!socket.isClosed()) {
                        writeErrors.increment();
                        log.debug("wireguard-derp proxy: receive for {}: {}", shortKey(key), e.getMessage());
                    }
                } catch (RuntimeException e) {
                    writeErrors.increment();
                    log.warn("wireguard-derp proxy: packet for {} dropped: {}", shortKey(key), e.toString());
                }
            }
        }

        /** Relay → WireGuard. */
        void deliver(byte[] packet) {
            try {
                socket.send(new DatagramPacket(packet, packet.length, wireGuard));
                fromRelay.increment();
            } catch (IOException | RuntimeException e) {
                writeErrors.increment();
                log.debug("wireguard-derp proxy: write to WireGuard for {}: {}", shortKey(key), e.toString());
            }
        }
    }

    private final InetSocketAddress wireGuardAddress;
    private final DerpConnector connector;
    private final Predicate<String> knownPeer;
    private final LoopbackAddresses addresses = new LoopbackAddresses();
    private final Map<String, PeerSocket> peers = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> packetsFromPeer = new ConcurrentHashMap<>();
    private final Map<String, DerpClient> clients = new HashMap<>();
    private final Map<String, DerpRelay> relays = new HashMap<>();
    private final Map<String, Pongs> pongs = new ConcurrentHashMap<>();
    private final Map<String, String> connectFailures = new HashMap<>();
    private volatile DerpClient active;
    private volatile String activeId;
    private volatile boolean closed;
    private final LongAdder toRelay = new LongAdder();
    private final LongAdder fromRelay = new LongAdder();
    private final LongAdder droppedNoRelay = new LongAdder();
    private final LongAdder droppedRelayQueue = new LongAdder();
    private final LongAdder droppedUnknownPeer = new LongAdder();
    private final LongAdder writeErrors = new LongAdder();

    /**
     * @param wireGuardPort WireGuard's UDP listen port (packets from relays go to {@code 127.0.0.1:port} until
     *                      WireGuard has sent from elsewhere)
     * @param connector     opens DERP clients
     * @param knownPeer     whether a key belongs to a peer of the VPC (packets from other keys are dropped)
     */
    public WireGuardDerpProxy(int wireGuardPort, DerpConnector connector, Predicate<String> knownPeer) {
        this.wireGuardAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), wireGuardPort);
        this.connector = connector;
        this.knownPeer = knownPeer;
    }

    @Override
    public synchronized Optional<InetSocketAddress> endpointFor(String peerKey) {
        PeerSocket ps = peers.get(peerKey);
        if (ps != null) {
            return Optional.of(ps.endpoint());
        }
        if (closed || peers.size() >= MAX_PEERS) {
            return Optional.empty();
        }
        try {
            ps = open(peerKey);
        } catch (IOException | IllegalArgumentException e) {
            log.warn("wireguard-derp proxy: no loopback socket for {}: {}", shortKey(peerKey), e.getMessage());
            return Optional.empty();
        }
        return Optional.of(ps.endpoint());
    }

    private PeerSocket open(String peerKey) throws IOException {
        InetAddress ip = addresses.allocate(peerKey);
        DatagramSocket s;
        try {
            s = new DatagramSocket(new InetSocketAddress(ip, 0));
        } catch (SocketException e) {
            addresses.release(peerKey);
            throw e;
        }
        PeerSocket ps = new PeerSocket(peerKey, s);
        peers.put(peerKey, ps);
        Thread.ofPlatform()
                .daemon(true)
                .name("nexd-derp-proxy-" + shortKey(peerKey))
                .start(ps::pump);
        log.info("wireguard-derp proxy: peer {} at {}", shortKey(peerKey), Addresses.format(ps.endpoint()));
        return ps;
    }

    /**
     * Sends through {@code relay} from now on, keeps (connecting if needed) a connection to every relay in {@code keep}
     * and closes the others. Every agent stays connected to every known relay: a relay delivers a packet only to the
     * destination's connection on that same relay, so a peer that sends through another relay than ours still reaches
     * us. Empty = no relay: packets to relayed peers are dropped (counted).
     */
    public synchronized void use(Optional<DerpRelay> relay, Set<DerpRelay> keep) {
        if (closed) {
            return;
        }
        Map<String, DerpRelay> wanted = new LinkedHashMap<>();
        relay.ifPresent(r -> wanted.put(r.id(), r));
        keep.forEach(r -> wanted.putIfAbsent(r.id(), r));
        for (String id : Set.copyOf(clients.keySet())) {
            if (!wanted.containsKey(id)) {
                log.info("wireguard-derp proxy: disconnecting from relay {}", id);
                clients.remove(id).close();
                pongs.remove(id);
                connector.disconnected(relays.remove(id));
            }
        }
        connectFailures.keySet().retainAll(wanted.keySet());
        for (DerpRelay r : wanted.values()) {
            DerpClient existing = clients.get(r.id());
            if (existing != null && !existing.isConnected() && connector.outdated(r)) {
                log.info("wireguard-derp proxy: relay {} has other nodes now; connecting again", r.id());
                clients.remove(r.id()).close();
                pongs.remove(r.id());
                connector.disconnected(relays.remove(r.id()));
                existing = null;
            }
            if (existing == null) {
                connect(r);
            }
        }
        DerpClient c = relay.map(r -> clients.get(r.id())).orElse(null);
        if (!Objects.equals(activeId, relay.map(DerpRelay::id).orElse(null))) {
            log.info(
                    "wireguard-derp proxy: sending through {}",
                    relay.map(DerpRelay::id).orElse("no relay"));
        }
        active = c;
        activeId = c == null ? null : relay.get().id();
    }

    private void connect(DerpRelay r) {
        try {
            DerpClient c = connector.connect(r, listener());
            clients.put(r.id(), c);
            relays.put(r.id(), r);
            connectFailures.remove(r.id());
            log.info(
                    "wireguard-derp proxy: connecting to {} relay {} ({})",
                    r.kind().name().toLowerCase(Locale.ROOT),
                    r.id(),
                    r.url());
        } catch (IOException | RuntimeException e) {
            // retried at every call (each tick): say it once per relay and reason
            String msg = String.valueOf(e.getMessage());
            if (!msg.equals(connectFailures.put(r.id(), msg))) {
                log.warn("wireguard-derp proxy: cannot connect to relay {} ({}): {}", r.id(), r.url(), msg);
            }
        }
    }

    /**
     * What a {@link #probe} saw of one relay's connection.
     *
     * @param connected the connection is up
     * @param pongs     pongs received from the relay so far (cumulative)
     * @param lastRtt   the newest pong's round trip
     */
    public record Probe(boolean connected, long pongs, Optional<Duration> lastRtt) {}

    /** Pong counts per relay; written by the clients' threads when a ping completes. */
    private static final class Pongs {
        final AtomicLong count = new AtomicLong();
        volatile Duration lastRtt;
    }

    /**
     * Sends a DERP ping to relay {@code relayId} (when connected) and returns what its connection looks like now; the
     * pong shows up in a later probe. The caller pings every relay once per tick and judges health and latency from
     * the pongs ({@link io.nexodus.nexd.peering.DerpRelayHealth}).
     */
    public Probe probe(String relayId) {
        DerpClient c;
        synchronized (this) {
            c = clients.get(relayId);
        }
        if (c == null) {
            return new Probe(false, 0, Optional.empty());
        }
        Pongs p = pongs.computeIfAbsent(relayId, k -> new Pongs());
        if (!c.isConnected()) {
            return new Probe(false, p.count.get(), Optional.empty());
        }
        CompletableFuture<?> _ = c.ping().thenAccept(rtt -> {
            p.lastRtt = rtt;
            p.count.incrementAndGet();
        });
        return new Probe(true, p.count.get(), Optional.ofNullable(p.lastRtt));
    }

    /** Whether the connection to relay {@code id} is up (false when there is none). */
    public synchronized boolean connected(String relayId) {
        DerpClient c = clients.get(relayId);
        return c != null && c.isConnected();
    }

    /**
     * Packets relays delivered from {@code peerKey} since it became a peer, cumulative, counted whether or not our
     * own policy sends to it through DERP: a peer that can use nothing else reaches us here first.
     */
    public long packetsFrom(String peerKey) {
        LongAdder n = packetsFromPeer.get(peerKey);
        return n == null ? 0 : n.sum();
    }

    private void countFrom(String key) {
        packetsFromPeer.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    /** Closes the sockets of peers not in {@code keys}. */
    public synchronized void retainPeers(Set<String> keys) {
        packetsFromPeer.keySet().retainAll(keys);
        for (String k : Set.copyOf(peers.keySet())) {
            if (!keys.contains(k)) {
                PeerSocket ps = peers.remove(k);
                ps.socket.close();
                addresses.release(k);
            }
        }
    }

    public Counters counters() {
        return new Counters(
                toRelay.sum(),
                fromRelay.sum(),
                droppedNoRelay.sum(),
                droppedRelayQueue.sum(),
                droppedUnknownPeer.sum(),
                writeErrors.sum());
    }

    private DerpClientListener listener() {
        return new DerpClientListener() {
            @Override
            public void onPacket(NodePublicKey source, byte[] packet) {
                String key = source.toBase64();
                PeerSocket ps = peers.get(key);
                if (ps == null) {
                    // the peer reached us through a relay before our own policy chose one for it: give it its
                    // loopback address (not on this reader thread: allocation takes the proxy's lock, and closing a
                    // client under that lock waits for this thread); WireGuard retries its handshake. Only here is
                    // the VPC's device list asked: a peer with a socket is known.
                    if (knownPeer.test(key) && !closed) {
                        countFrom(key);
                        Thread.ofVirtual().name("nexd-derp-proxy-allocate").start(() -> endpointFor(key));
                    }
                    droppedUnknownPeer.increment();
                    return;
                }
                countFrom(key);
                ps.deliver(packet);
            }

            @Override
            public void onConnected(NodePublicKey serverKey) {
                log.info("wireguard-derp proxy: relay connection up (server key {})", serverKey);
            }

            @Override
            public void onDisconnected(String reason) {
                log.info("wireguard-derp proxy: relay connection down: {}", reason);
            }
        };
    }

    @Override
    public synchronized void close() {
        closed = true;
        active = null;
        clients.values().forEach(DerpClient::close);
        clients.clear();
        relays.values().forEach(connector::disconnected);
        relays.clear();
        peers.values().forEach(ps -> ps.socket.close());
        peers.clear();
    }

    static String shortKey(String key) {
        return key == null ? "?" : key.substring(0, Math.min(8, key.length()));
    }
}
