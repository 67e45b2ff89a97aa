package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.wireguard.bind.Bind;
import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.bind.Receiver;
import io.nexodus.wireguard.bind.UdpBind;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WireGuard interface: a {@link Tun} on one side, a {@link Bind} on the other, and the protocol in between.
 * <p>
 * Threads: one platform thread reads the TUN, routes, encrypts and sends, in batches ({@link Outbound}); the bind's
 * receive thread(s) decrypt and write to the TUN ({@link Inbound}); one platform thread handles handshake messages from
 * a bounded queue, so X25519 never stalls the data path and queue depth tells when we are under load
 * ({@link IncomingHandshakes}); one timer thread runs the protocol timers ({@link PeerTimers}). Configuration calls are
 * thread-safe ({@link Configuration}). An optional {@link PacketFilter}, swappable at run time, sits in both packet
 * paths.
 * <p>
 * Create one with {@link #builder()}; configure it with {@link #setPeer}, {@link #removePeer} or {@link #configure}
 * (UAPI {@code set} semantics); read it with {@link #status()}, {@link #peer(Key)} and {@link #drops()}. To let
 * {@code wg} drive it, serve UAPI with {@code io.nexodus.wireguard.uapi.UapiServer}.
 * <p>
 * This file holds what a device is and its life cycle (wireguard-go's {@code device.go}); the send path, the receive
 * path, the handshake queue and the configuration are in the classes named above.
 */
public final class Device implements Receiver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Device.class);
    static final int DEFAULT_MTU = 1420;

    final Scheduler scheduler;
    final Timings timings;
    final long rejectAfterTimeNanos;
    final Tun tun;
    final Bind bind;
    final IndexTable indexTable = new IndexTable();
    final AllowedIps<Peer> allowedIps = new AllowedIps<>();
    final NoiseProtocol noise = new NoiseProtocol(this);
    final CryptoPool cryptoPool;
    final Configuration config = new Configuration(this);
    final Outbound outbound = new Outbound(this);
    final Inbound inbound = new Inbound(this);
    final IncomingHandshakes handshakes;
    volatile boolean closing;

    private final String name;
    private final boolean ownsScheduler;
    private final EnumMap<DropReason, LongAdder> drops = new EnumMap<>(DropReason.class);
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Runnable> closeHooks = new ArrayList<>();
    private final AtomicBoolean filterFailureLogged = new AtomicBoolean();
    private volatile PacketFilter packetFilter;

    private Device(Builder b, Tun tun) {
        this.name = tun.name();
        this.tun = tun;
        this.bind = b.bind != null ? b.bind : new UdpBind();
        this.timings = b.timings;
        this.rejectAfterTimeNanos = timings.rejectAfterTime().toNanos();
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = b.scheduler != null ? b.scheduler : new SystemScheduler("wg-timers-" + name);
        this.handshakes = new IncomingHandshakes(this, b.inlineHandshakes);
        this.cryptoPool = new CryptoPool(b.cryptoWorkers >= 0 ? b.cryptoWorkers : defaultCryptoWorkers(), name);
        this.packetFilter = b.packetFilter;
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
        private PacketFilter packetFilter;

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

        /** A packet filter from the start (see {@link Device#packetFilter(PacketFilter)}); none by default. */
        public Builder packetFilter(PacketFilter filter) {
            this.packetFilter = filter;
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
                d.start(privateKey, listenPort, fwmark, startThreads, inlineHandshakes);
            } catch (IOException | RuntimeException e) {
                d.close();
                throw e;
            }
            return d;
        }
    }

    private void start(NodePrivateKey privateKey, int port, int mark, boolean startThreads, boolean inlineHandshakes)
            throws IOException {
        config.start(privateKey, port, mark);
        if (startThreads) {
            startThread("wg-tun-" + name, outbound::readLoop);
            if (!inlineHandshakes) {
                startThread("wg-handshake-" + name, handshakes::loop);
            }
        }
        log.info("{}: up, listening on UDP port {}", name, config.listenPort());
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
        return config.listenPort();
    }

    /** Our public key, or null if no private key is set. */
    public NodePublicKey publicKey() {
        Identity id = config.identity();
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
        return config.removePeer(publicKey);
    }

    /**
     * Applies a configuration change with UAPI {@code set} semantics: device fields first, then peer sections in
     * order. Input is validated by the caller (the record types); what can still fail here (the port is taken) is
     * reported with an errno.
     */
    public void configure(DeviceUpdate update) throws ConfigException {
        config.apply(update);
    }

    /** One peer's configuration and counters. */
    public Optional<PeerStats> peer(NodePublicKey publicKey) {
        Peer p = config.peer(publicKey);
        return p == null ? Optional.empty() : Optional.of(p.stats());
    }

    /** All peers' configuration and counters. */
    public List<PeerStats> peers() {
        return config.peers().stream().map(Peer::stats).toList();
    }

    /** The whole device, as UAPI {@code get} reports it. */
    public DeviceStatus status() {
        Identity id = config.identity();
        return new DeviceStatus(
                id == null ? null : NodePrivateKey.fromRaw(id.privateKey()),
                config.listenPort(),
                config.fwmark(),
                peers());
    }

    /**
     * Sets the {@link PacketFilter} both packet paths consult, replacing the previous one; null removes it. The swap is
     * atomic: each packet thread picks up the new filter with its next batch (a batch in flight finishes under the
     * filter it started with). Without a filter the paths pay one volatile read per batch and a branch per packet.
     */
    public void packetFilter(PacketFilter filter) {
        packetFilter = filter;
        filterFailureLogged.set(false);
    }

    /** The current packet filter, or null. */
    public PacketFilter packetFilter() {
        return packetFilter;
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

    /** Delivers datagrams from the bind to the receive path ({@link Inbound}). Thread-safe. */
    @Override
    public void receive(PacketBatch batch) {
        inbound.receive(batch);
    }

    // ====================================================================================== internals

    Peer peerByKey(byte[] publicKey) {
        return config.peer(NodePublicKey.fromRaw(publicKey));
    }

    int mtu() {
        return tun.mtu();
    }

    void drop(DropReason reason) {
        drops.get(reason).increment();
    }

    /** A filter threw: the packet is refused (fail closed); the first failure per filter is logged, so one shows. */
    void filterFailed(RuntimeException e) {
        if (filterFailureLogged.compareAndSet(false, true)) {
            log.warn("{}: the packet filter failed; the packets it fails on are dropped", name, e);
        }
    }

    // ====================================================================================== lifecycle

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
        config.stopAll();
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
