package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.wireguard.bind.Bind;
import io.nexodus.wireguard.bind.Endpoint;
import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.bind.Receiver;
import io.nexodus.wireguard.bind.UdpBind;
import io.nexodus.wireguard.crypto.TransportCipher;
import io.nexodus.wireguard.tun.LinuxTun;
import io.nexodus.wireguard.tun.MemoryTun;
import io.nexodus.wireguard.tun.Tun;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WireGuard interface: a {@link Tun} on one side, a {@link Bind} on the other, and the protocol in between.
 * <p>
 * Threads: one platform thread reads the TUN, routes, encrypts and sends (in batches); the bind's receive thread(s)
 * decrypt and write to the TUN; one platform thread handles handshake messages from a bounded queue (so X25519 never
 * stalls the data path, and queue depth tells when we are under load); one timer thread runs the protocol timers.
 * Configuration calls are thread-safe.
 * <p>
 * Create one with {@link #builder()}; configure it with {@link #setPeer}, {@link #removePeer} or {@link #configure}
 * (UAPI {@code set} semantics); read it with {@link #status()}, {@link #peer(NodePublicKey)} and {@link #drops()}. To let
 * {@code wg} drive it, serve UAPI with {@code io.nexodus.wireguard.uapi.UapiServer}.
 */
public final class Device implements Receiver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Device.class);
    static final int HANDSHAKE_QUEUE_SIZE = 1024;
    static final int UNDER_LOAD_QUEUE_DEPTH = HANDSHAKE_QUEUE_SIZE / 8;
    static final int DEFAULT_MTU = 1420;
    static final int BATCH_SIZE = 128;
    static final int TUN_BUFFER_SIZE = 65536 + 128; // a TSO super-packet with its virtio header

    /** Our static key pair and what is derived from it; swapped as a whole when the private key changes. */
    record Identity(
            byte[] privateKey,
            byte[] publicKey,
            NodePublicKey publicKeyObject,
            CookieChecker cookieChecker,
            byte[] responderHash) {}

    final Scheduler scheduler;
    final Timings timings;
    final long rejectAfterTimeNanos;
    final Tun tun;
    final Bind bind;
    final IndexTable indexTable = new IndexTable();
    final AllowedIps<Peer> allowedIps = new AllowedIps<>();
    final NoiseProtocol noise = new NoiseProtocol(this);
    final RateLimiter rateLimiter;

    private final String name;
    private final boolean ownsScheduler;
    private final boolean inlineHandshakes;
    private final Object configLock = new Object();
    private final ConcurrentHashMap<NodePublicKey, Peer> peers = new ConcurrentHashMap<>();
    private final EnumMap<DropReason, LongAdder> drops = new EnumMap<>(DropReason.class);
    private final BlockingQueue<HandshakeJob> handshakeQueue = new ArrayBlockingQueue<>(HANDSHAKE_QUEUE_SIZE);
    private final ThreadLocal<TransportCipher> ciphers = ThreadLocal.withInitial(TransportCipher::new);
    private final ThreadLocal<BatchWork> work = new ThreadLocal<>();
    private final CryptoPool cryptoPool;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Runnable> closeHooks = new ArrayList<>();

    private volatile Identity identity;
    private volatile int listenPort;
    private volatile int fwmark;
    private volatile boolean closing;
    private volatile long underLoadUntil;
    volatile boolean forceUnderLoad;

    private record HandshakeJob(byte[] message, Endpoint source) {}

    private Device(Builder b, Tun tun) {
        this.name = tun.name();
        this.tun = tun;
        this.bind = b.bind != null ? b.bind : new UdpBind();
        this.timings = b.timings;
        this.rejectAfterTimeNanos = timings.rejectAfterTime().toNanos();
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = b.scheduler != null ? b.scheduler : new SystemScheduler("wg-timers-" + name);
        this.inlineHandshakes = b.inlineHandshakes;
        this.rateLimiter = new RateLimiter(scheduler);
        this.cryptoPool = new CryptoPool(b.cryptoWorkers >= 0 ? b.cryptoWorkers : defaultCryptoWorkers(), name);
        for (DropReason r : DropReason.values()) {
            drops.put(r, new LongAdder());
        }
    }

    /**
     * Extra crypto threads by default: none on machines with up to 2 cores (the I/O threads, the kernel and the
     * applications already fill them, and a hand-off costs more than it saves), else up to 4.
     */
    static int defaultCryptoWorkers() {
        int cores = Runtime.getRuntime().availableProcessors();
        return cores <= 2 ? 0 : Math.min(4, cores - 2);
    }

    /** Starts building a device. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options for a new device; {@link #build()} creates the interface, binds the port and starts the threads. */
    public static final class Builder {
        private String interfaceName;
        private Tun tun;
        private int mtu = DEFAULT_MTU;
        private NodePrivateKey privateKey;
        private int listenPort;
        private int fwmark;
        private Bind bind;
        private Timings timings = Timings.DEFAULT;
        private Scheduler scheduler;
        private boolean startThreads = true;
        private boolean inlineHandshakes;
        private int cryptoWorkers = -1;

        private Builder() {}

        /**
         * Threads that share the encryption and decryption of each batch with the packet threads (packets are still
         * released in order). The default depends on the cores: none on 2, up to 4 on bigger machines.
         */
        public Builder cryptoWorkers(int workers) {
            if (workers < 0 || workers > 64) {
                throw new IllegalArgumentException("crypto workers must be 0..64");
            }
            this.cryptoWorkers = workers;
            return this;
        }

        /** Creates a kernel TUN interface with this name (needs CAP_NET_ADMIN); "wg%d" lets the kernel choose. */
        public Builder interfaceName(String name) {
            this.interfaceName = name;
            return this;
        }

        /** Uses this TUN instead of creating one ({@link MemoryTun} gives a device without a kernel interface). */
        public Builder tun(Tun tun) {
            this.tun = tun;
            return this;
        }

        /** A device without a kernel interface: packets go through a {@link MemoryTun} (see {@link Device#tun()}). */
        public Builder noTun(String name) {
            this.tun = new MemoryTun(name, mtu);
            return this;
        }

        public Builder mtu(int mtu) {
            if (mtu < 576 || mtu > 65535 - 80) {
                throw new IllegalArgumentException("MTU must be 576..65455");
            }
            this.mtu = mtu;
            return this;
        }

        public Builder privateKey(NodePrivateKey privateKey) {
            this.privateKey = privateKey;
            return this;
        }

        /** The UDP port; 0 (the default) picks a free one, see {@link Device#listenPort()}. */
        public Builder listenPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535");
            }
            this.listenPort = port;
            return this;
        }

        public Builder fwmark(int fwmark) {
            this.fwmark = fwmark;
            return this;
        }

        /** The packet transport; the default is a new {@link UdpBind}. */
        public Builder bind(Bind bind) {
            this.bind = bind;
            return this;
        }

        /** Protocol constants; only tests change them. */
        public Builder timings(Timings timings) {
            this.timings = Objects.requireNonNull(timings);
            return this;
        }

        /** The clock and timer scheduler; only tests change it. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** Tests drive a device by hand: no TUN or handshake threads, handshakes handled on the receiving thread. */
        Builder manual() {
            this.startThreads = false;
            this.inlineHandshakes = true;
            return this;
        }

        public Device build() throws IOException {
            Tun t = tun;
            if (t == null) {
                if (interfaceName == null) {
                    throw new IllegalStateException("give an interface name, a Tun, or noTun()");
                }
                t = LinuxTun.create(interfaceName, mtu);
            }
            Device d = new Device(this, t);
            try {
                d.start(privateKey, listenPort, fwmark, startThreads);
            } catch (IOException | RuntimeException e) {
                d.close();
                throw e;
            }
            return d;
        }
    }

    private void start(NodePrivateKey privateKey, int port, int mark, boolean startThreads) throws IOException {
        if (privateKey != null) {
            setIdentity(privateKey);
        }
        this.listenPort = bind.open(port, this);
        if (mark != 0) {
            bind.setMark(mark);
            this.fwmark = mark;
        }
        if (startThreads) {
            startThread("wg-tun-" + name, this::tunReadLoop);
            if (!inlineHandshakes) {
                startThread("wg-handshake-" + name, this::handshakeLoop);
            }
        }
        log.info("{}: up, listening on UDP port {}", name, listenPort);
    }

    private void startThread(String threadName, Runnable body) {
        Thread t = Thread.ofPlatform().name(threadName).daemon(true).unstarted(body);
        threads.add(t);
        t.start();
    }

    // ====================================================================================== public API

    /** The interface name. */
    public String name() {
        return name;
    }

    /** The TUN (a {@link MemoryTun} for a device built with {@code noTun}). */
    public Tun tun() {
        return tun;
    }

    /** The packet transport (a {@link UdpBind} unless another was given). */
    public Bind bind() {
        return bind;
    }

    /** The UDP port actually bound. */
    public int listenPort() {
        return listenPort;
    }

    /** Our public key, or null if no private key is set. */
    public NodePublicKey publicKey() {
        Identity id = identity;
        return id == null ? null : id.publicKeyObject();
    }

    /** Sets (or with null/all-zero, removes) the private key, with UAPI semantics. */
    public void setPrivateKey(NodePrivateKey key) throws ConfigException {
        configure(new DeviceUpdate(
                key == null ? NodePrivateKey.fromRaw(new byte[32]) : key, null, null, false, List.of()));
    }

    /** Rebinds the UDP port (0 = any free port). */
    public void setListenPort(int port) throws ConfigException {
        configure(new DeviceUpdate(null, port, null, false, List.of()));
    }

    /** Sets the firewall mark on outgoing packets (0 = none). */
    public void setFwmark(int mark) throws ConfigException {
        configure(new DeviceUpdate(null, null, mark, false, List.of()));
    }

    /** Creates or updates a peer; its allowed IPs are replaced by the given ones. */
    public void setPeer(PeerConfig peer) throws ConfigException {
        configure(DeviceUpdate.ofPeers(List.of(peer.toUpdate())));
    }

    /** Replaces all peers by these (UAPI {@code replace_peers=true}). */
    public void replacePeers(Collection<PeerConfig> newPeers) throws ConfigException {
        configure(new DeviceUpdate(
                null,
                null,
                null,
                true,
                newPeers.stream().map(PeerConfig::toUpdate).toList()));
    }

    /** Removes a peer; false if there was none with that key. */
    public boolean removePeer(NodePublicKey publicKey) {
        synchronized (configLock) {
            Peer p = peers.remove(publicKey);
            if (p == null) {
                return false;
            }
            removePeerLocked(p);
            return true;
        }
    }

    /** One peer's configuration and counters. */
    public Optional<PeerStats> peer(NodePublicKey publicKey) {
        Peer p = peers.get(publicKey);
        return p == null ? Optional.empty() : Optional.of(p.stats());
    }

    /** All peers' configuration and counters. */
    public List<PeerStats> peers() {
        return peers.values().stream().map(Peer::stats).toList();
    }

    /** The whole device, as UAPI {@code get} reports it. */
    public DeviceStatus status() {
        Identity id = identity;
        return new DeviceStatus(
                id == null ? null : NodePrivateKey.fromRaw(id.privateKey()), listenPort, fwmark, peers());
    }

    /** How many packets were dropped, by reason. */
    public Map<DropReason, Long> drops() {
        EnumMap<DropReason, Long> out = new EnumMap<>(DropReason.class);
        drops.forEach((r, n) -> out.put(r, n.sum()));
        return out;
    }

    public long dropCount(DropReason reason) {
        return drops.get(reason).sum();
    }

    /** Completes when the device has shut down (closed, or its interface was deleted). */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /** Runs {@code hook} when the device closes (the UAPI server uses it to remove its socket). */
    public void onClose(Runnable hook) {
        synchronized (closeHooks) {
            if (!closing) {
                closeHooks.add(hook);
                return;
            }
        }
        hook.run();
    }

    /**
     * Applies a configuration change with UAPI {@code set} semantics: device fields first, then peer sections in
     * order. Input is validated by the caller (the record types); what can still fail here (the port is taken) is
     * reported with an errno.
     */
    public void configure(DeviceUpdate update) throws ConfigException {
        List<Peer> toStart = new ArrayList<>();
        synchronized (configLock) {
            if (closing) {
                throw new ConfigException(ConfigException.EIO, "device is closed");
            }
            if (update.privateKey() != null) {
                applyPrivateKey(update.privateKey());
            }
            if (update.listenPort() != null && update.listenPort() != listenPort) {
                try {
                    listenPort = bind.open(update.listenPort(), this);
                } catch (IOException e) {
                    throw new ConfigException(
                            ConfigException.EADDRINUSE,
                            "cannot bind UDP port " + update.listenPort() + ": " + e.getMessage(),
                            e);
                }
                if (fwmark != 0) {
                    applyMark(fwmark);
                }
            }
            if (update.fwmark() != null && update.fwmark() != fwmark) {
                applyMark(update.fwmark());
                fwmark = update.fwmark();
            }
            if (update.replacePeers()) {
                for (Peer p : List.copyOf(peers.values())) {
                    peers.remove(p.publicKey);
                    removePeerLocked(p);
                }
            }
            for (PeerUpdate pu : update.peers()) {
                Peer p = applyPeer(pu);
                if (p != null) {
                    toStart.add(p);
                }
            }
        }
        // handlePostConfig: a peer that just got persistent keepalive sends one now; waiting packets go out.
        for (Peer p : toStart) {
            p.sendStagedPackets();
        }
    }

    private void applyMark(int mark) throws ConfigException {
        try {
            bind.setMark(mark);
        } catch (IOException e) {
            throw new ConfigException(ConfigException.EADDRINUSE, "cannot set fwmark: " + e.getMessage(), e);
        }
    }

    private void applyPrivateKey(NodePrivateKey key) {
        Identity id = identity;
        if (key.isZero()) {
            if (id == null) {
                return;
            }
            identity = null;
            for (Peer p : peers.values()) {
                p.setStaticStatic(null);
                p.expireCurrentKeypairs();
            }
            return;
        }
        NodePrivateKey clamped = key.clamped();
        if (id != null && NodePrivateKey.fromRaw(id.privateKey()).equals(clamped)) {
            return; // unchanged: keep the sessions
        }
        setIdentity(clamped);
        NodePublicKey pub = identity.publicKeyObject();
        Peer self = peers.remove(pub); // a peer with our own public key makes no sense: wireguard-go removes it
        if (self != null) {
            removePeerLocked(self);
        }
        for (Peer p : peers.values()) {
            p.setStaticStatic(identity.privateKey());
            p.expireCurrentKeypairs();
        }
    }

    private void setIdentity(NodePrivateKey privateKey) {
        byte[] priv = privateKey.clamped().toRaw();
        NodePublicKey pubKey = NodePrivateKey.fromRaw(priv).publicKey();
        byte[] pub = pubKey.toRaw();
        identity = new Identity(
                priv, pub, pubKey, new CookieChecker(pub, scheduler, timings), NoiseProtocol.initialHash(pub));
    }

    /** Applies one peer section; returns the peer if it should get post-config handling. */
    private Peer applyPeer(PeerUpdate pu) {
        Identity id = identity;
        if (id != null && id.publicKeyObject().equals(pu.publicKey())) {
            return null; // our own key: wireguard-go ignores the section (a dummy peer)
        }
        Peer p = peers.get(pu.publicKey());
        if (pu.remove()) {
            if (p != null) {
                peers.remove(pu.publicKey());
                removePeerLocked(p);
            }
            return null;
        }
        if (p == null) {
            if (pu.updateOnly()) {
                return null;
            }
            p = new Peer(this, pu.publicKey());
            p.setStaticStatic(id == null ? null : id.privateKey());
            peers.put(pu.publicKey(), p);
        }
        if (pu.presharedKey() != null) {
            synchronized (p.handshake) {
                p.presharedKey = pu.presharedKey().toRaw();
            }
        }
        if (pu.endpoint() != null) {
            p.endpoint = pu.endpoint();
        }
        boolean keepaliveTurnedOn = false;
        if (pu.persistentKeepalive() != null) {
            int old = p.persistentKeepaliveSeconds;
            p.persistentKeepaliveSeconds = pu.persistentKeepalive();
            keepaliveTurnedOn = old == 0 && pu.persistentKeepalive() > 0;
        }
        if (pu.replaceAllowedIps()
                || !pu.addAllowedIps().isEmpty()
                || !pu.removeAllowedIps().isEmpty()) {
            allowedIps.update(p, pu.replaceAllowedIps(), pu.addAllowedIps(), pu.removeAllowedIps());
        }
        if (keepaliveTurnedOn) {
            p.sendKeepalive();
            return null;
        }
        return p;
    }

    private void removePeerLocked(Peer p) {
        allowedIps.removeByPeer(p);
        p.stop();
    }

    // ====================================================================================== internals

    Identity identity() {
        return identity;
    }

    Peer peerByKey(byte[] publicKey) {
        return peers.get(NodePublicKey.fromRaw(publicKey));
    }

    int mtu() {
        return tun.mtu();
    }

    void drop(DropReason reason) {
        drops.get(reason).increment();
    }

    void deleteKeypair(Keypair kp) {
        if (kp != null) {
            indexTable.delete(kp.localIndex);
        }
    }

    /** A cipher for cold paths (staged packets, keepalives), one per thread. */
    TransportCipher coldCipher() {
        return ciphers.get();
    }

    // ---------------------------------------------------------------------------------------------- outbound

    private void tunReadLoop() {
        PacketBatch batch = new PacketBatch(BATCH_SIZE, TUN_BUFFER_SIZE);
        TransportCipher cipher = ciphers.get();
        while (!closing) {
            int n;
            try {
                n = tun.read(batch);
            } catch (IOException | RuntimeException e) {
                if (!closing) {
                    log.error("{}: TUN read failed, shutting down", name, e);
                }
                break;
            }
            if (n < 0) {
                break;
            }
            try {
                processOutbound(batch, cipher);
            } catch (RuntimeException e) {
                log.warn("{}: dropped a batch of {} outgoing packets", name, n, e); // a bug; keep the device alive
            }
        }
        if (!closing) {
            log.info("{}: interface is gone, shutting down", name);
            Thread.ofPlatform().daemon(true).start(this::close);
        }
    }

    private BatchWork work(int capacity) {
        BatchWork w = work.get();
        if (w == null || w.capacity() < capacity) {
            w = new BatchWork(capacity);
            work.set(w);
        }
        return w;
    }

    /**
     * Routes, encrypts and sends the IP packets in {@code batch} (each at offset HEADROOM): counters are taken in batch
     * order, the crypto may be spread over the pool, and the batch goes out in its original order.
     */
    void processOutbound(PacketBatch batch, TransportCipher cipher) {
        int n = batch.count();
        int mtu = tun.mtu();
        long now = scheduler.nanoTime();
        BatchWork w = work(batch.capacity());
        Peer lastPeer = null;
        Peer[] touched = null;
        int touchedCount = 0;
        for (int i = 0; i < n; i++) {
            byte[] buf = batch.buffer(i);
            int len = batch.length(i);
            w.keys[i] = null;
            Peer p = allowedIps.lookupPacket(buf, PacketBatch.HEADROOM, len, true);
            if (p == null) {
                drop(DropReason.NO_ROUTE);
                batch.drop(i);
                continue;
            }
            if (!p.prepareSeal(batch, i, w, mtu, now)) {
                p.stage(buf, PacketBatch.HEADROOM, len);
                batch.drop(i);
                p.sendStagedPackets();
                continue;
            }
            if (batch.endpoint(i) != null && p != lastPeer) {
                lastPeer = p;
                if (touched == null) {
                    touched = new Peer[4];
                }
                boolean seen = false;
                for (int j = 0; j < touchedCount; j++) {
                    seen |= touched[j] == p;
                }
                if (!seen) {
                    if (touchedCount == touched.length) {
                        touched = java.util.Arrays.copyOf(touched, touchedCount * 2);
                    }
                    touched[touchedCount++] = p;
                }
            }
        }
        cryptoPool.run(
                n,
                (i, c) -> {
                    if (w.keys[i] != null) {
                        c.seal(w.keys[i], w.counters[i], batch.buffer(i), Messages.TRANSPORT_HEADER_SIZE, w.lengths[i]);
                    }
                },
                cipher);
        w.clear(n);
        try {
            bind.send(batch);
        } catch (IOException | RuntimeException e) {
            drop(DropReason.SEND_FAILED);
            log.debug("{}: send failed: {}", name, e.toString());
        }
        for (int j = 0; j < touchedCount; j++) {
            touched[j].afterDataSent();
        }
    }

    // ---------------------------------------------------------------------------------------------- inbound

    /**
     * Receives datagrams from the bind: handshake messages go to the handshake thread; transport data is looked up,
     * decrypted (possibly spread over the crypto pool), then checked in order (replay window, session confirmation,
     * inner packet, allowed IPs) and written to the TUN.
     */
    @Override
    public void receive(PacketBatch batch) {
        if (closing) {
            return;
        }
        TransportCipher cipher = ciphers.get();
        int n = batch.count();
        long now = scheduler.nanoTime();
        BatchWork w = work(batch.capacity());
        int toDecrypt = 0;
        for (int i = 0; i < n; i++) {
            byte[] buf = batch.buffer(i);
            int off = batch.offset(i);
            int len = batch.length(i);
            w.keypairs[i] = null;
            int type = Messages.classify(buf, off, len);
            if (type == 0) {
                drop(DropReason.MALFORMED);
                continue;
            }
            if (type != Messages.TYPE_TRANSPORT) {
                enqueueHandshake(java.util.Arrays.copyOfRange(buf, off, off + len), batch.endpoint(i));
                continue;
            }
            IndexTable.Entry e = indexTable.lookup(Messages.le32(buf, off + Messages.DATA_RECEIVER));
            Keypair kp = e == null ? null : e.keypair();
            if (kp == null) {
                drop(DropReason.UNKNOWN_INDEX);
                continue;
            }
            if (kp.ageNanos(now) >= rejectAfterTimeNanos) {
                drop(DropReason.EXPIRED_SESSION);
                continue;
            }
            w.keypairs[i] = kp;
            w.counters[i] = Messages.le64(buf, off + Messages.DATA_COUNTER);
            toDecrypt++;
        }
        if (toDecrypt == 0) {
            return;
        }
        cryptoPool.run(
                n,
                (i, c) -> {
                    Keypair kp = w.keypairs[i];
                    if (kp != null) {
                        int off = batch.offset(i) + Messages.TRANSPORT_HEADER_SIZE;
                        w.results[i] = c.open(
                                kp.receiveKey,
                                w.counters[i],
                                batch.buffer(i),
                                off,
                                batch.length(i) - Messages.TRANSPORT_HEADER_SIZE);
                    }
                },
                cipher);
        int toWrite = 0;
        Peer runPeer = null;
        long runBytes = 0;
        boolean runData = false;
        Endpoint runFrom = null;
        for (int i = 0; i < n; i++) {
            Keypair kp = w.keypairs[i];
            int off = batch.offset(i);
            int len = batch.length(i);
            batch.set(i, off, 0, batch.endpoint(i)); // nothing to write unless the packet turns out to be good
            if (kp == null) {
                continue;
            }
            w.keypairs[i] = null;
            int plain = w.results[i];
            if (plain < 0) {
                drop(DropReason.DECRYPT_FAILED);
                continue;
            }
            if (!kp.replay.validate(w.counters[i], timings.rejectAfterMessages())) {
                drop(DropReason.REPLAYED);
                continue;
            }
            Peer peer = kp.peer;
            if (peer.stopped) {
                continue;
            }
            if (peer.receivedWithKeypair(kp)) {
                peer.timersHandshakeComplete();
                peer.sendStagedPackets();
            }
            if (peer != runPeer) {
                if (runPeer != null) {
                    runPeer.afterReceive(runBytes, runData, runFrom);
                }
                runPeer = peer;
                runBytes = 0;
                runData = false;
            }
            runBytes += len;
            runFrom = batch.endpoint(i);
            if (plain == 0) {
                continue; // keepalive
            }
            runData = true;
            int ipLen = innerPacketLength(batch.buffer(i), off + Messages.TRANSPORT_HEADER_SIZE, plain);
            if (ipLen <= 0) {
                drop(DropReason.INVALID_INNER_PACKET);
                continue;
            }
            if (allowedIps.lookupPacket(batch.buffer(i), off + Messages.TRANSPORT_HEADER_SIZE, ipLen, false) != peer) {
                drop(DropReason.SOURCE_NOT_ALLOWED);
                continue;
            }
            batch.set(i, off + Messages.TRANSPORT_HEADER_SIZE, ipLen, batch.endpoint(i));
            toWrite++;
        }
        if (runPeer != null) {
            runPeer.afterReceive(runBytes, runData, runFrom);
        }
        if (toWrite > 0) {
            try {
                tun.write(batch);
            } catch (IOException | RuntimeException e) {
                if (!closing) {
                    log.debug("{}: TUN write failed: {}", name, e.toString());
                }
            }
        }
    }

    /** The length of the IPv4/IPv6 packet at {@code start} (padding trimmed), or 0 if it is not one. */
    private static int innerPacketLength(byte[] buf, int start, int plain) {
        int version = (buf[start] & 0xff) >>> 4;
        if (version == 4 && plain >= 20) {
            int ipLen = ((buf[start + 2] & 0xff) << 8) | (buf[start + 3] & 0xff);
            return ipLen >= 20 && ipLen <= plain ? ipLen : 0;
        }
        if (version == 6 && plain >= 40) {
            int ipLen = 40 + (((buf[start + 4] & 0xff) << 8) | (buf[start + 5] & 0xff));
            return ipLen <= plain ? ipLen : 0;
        }
        return 0;
    }

    // ---------------------------------------------------------------------------------------------- handshakes

    private void enqueueHandshake(byte[] msg, Endpoint from) {
        HandshakeJob job = new HandshakeJob(msg, from);
        if (inlineHandshakes) {
            handleHandshake(job);
        } else if (!handshakeQueue.offer(job)) {
            drop(DropReason.HANDSHAKE_QUEUE_FULL);
        }
    }

    private void handshakeLoop() {
        while (!closing) {
            HandshakeJob job;
            try {
                job = handshakeQueue.take();
            } catch (InterruptedException e) {
                break;
            }
            try {
                handleHandshake(job);
            } catch (RuntimeException e) {
                log.warn("{}: handshake message from {} failed", name, job.source(), e);
            }
        }
    }

    private boolean underLoad() {
        if (forceUnderLoad) {
            return true;
        }
        long now = scheduler.nanoTime();
        if (handshakeQueue.size() >= UNDER_LOAD_QUEUE_DEPTH) {
            underLoadUntil = now + timings.underLoadDuration().toNanos();
            return true;
        }
        return underLoadUntil - now > 0;
    }

    private void handleHandshake(HandshakeJob job) {
        byte[] msg = job.message();
        Endpoint from = job.source();
        int type = Messages.le32(msg, 0);
        if (type == Messages.TYPE_COOKIE_REPLY) {
            IndexTable.Entry e = indexTable.lookup(Messages.le32(msg, Messages.COOKIE_RECEIVER));
            if (e == null || !e.peer().cookieGenerator.consumeReply(msg)) {
                drop(DropReason.INVALID_COOKIE_REPLY);
            }
            return;
        }
        Identity id = identity;
        if (id == null) {
            drop(DropReason.HANDSHAKE_FAILED);
            return;
        }
        int macOffset = type == Messages.TYPE_INITIATION ? Messages.INIT_MAC1 : Messages.RESP_MAC1;
        if (!id.cookieChecker().checkMac1(msg, macOffset)) {
            drop(DropReason.INVALID_MAC1);
            return;
        }
        if (underLoad()) {
            byte[] source = from == null ? new byte[0] : from.cookieBytes();
            if (!id.cookieChecker().checkMac2(msg, macOffset, source)) {
                int senderIndex = Messages.le32(msg, 4);
                byte[] reply = id.cookieChecker().createReply(msg, macOffset, senderIndex, source);
                drop(DropReason.COOKIE_REQUIRED);
                if (from != null) {
                    try {
                        bind.send(from, reply, 0, reply.length);
                    } catch (IOException | RuntimeException e) {
                        drop(DropReason.SEND_FAILED);
                    }
                }
                return;
            }
            if (from != null && !rateLimiter.allow(from.rateLimitKey())) {
                drop(DropReason.RATE_LIMITED);
                return;
            }
        }
        if (type == Messages.TYPE_INITIATION) {
            Peer peer = noise.consumeInitiation(msg);
            if (peer == null) {
                return;
            }
            peer.setEndpointFromPacket(from);
            peer.timersAnyAuthenticatedPacketTraversal();
            peer.timersAnyAuthenticatedPacketReceived();
            peer.rxBytes.addAndGet(msg.length);
            peer.sendHandshakeResponse();
        } else {
            Peer peer = noise.consumeResponse(msg);
            if (peer == null) {
                return;
            }
            peer.setEndpointFromPacket(from);
            peer.timersAnyAuthenticatedPacketTraversal();
            peer.timersAnyAuthenticatedPacketReceived();
            peer.rxBytes.addAndGet(msg.length);
            if (noise.beginSymmetricSession(peer) == null) {
                return;
            }
            peer.timersSessionDerived();
            peer.timersHandshakeComplete();
            peer.sendKeepalive();
        }
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    /** Shuts down: stops the threads, closes the TUN and the bind, erases keys. Idempotent. */
    @Override
    public void close() {
        List<Runnable> hooks;
        synchronized (closeHooks) {
            if (closing) {
                return;
            }
            closing = true;
            hooks = List.copyOf(closeHooks);
        }
        synchronized (configLock) {
            for (Peer p : peers.values()) {
                p.stop();
            }
            peers.clear();
        }
        tun.close();
        bind.close();
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            if (t != Thread.currentThread()) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        cryptoPool.close();
        if (ownsScheduler && scheduler instanceof SystemScheduler s) {
            s.close();
        }
        for (Runnable h : hooks) {
            try {
                h.run();
            } catch (RuntimeException e) {
                log.warn("{}: close hook failed", name, e);
            }
        }
        log.info("{}: closed", name);
        closed.complete(null);
    }

    @Override
    public String toString() {
        return "Device[" + name + "]";
    }
}
