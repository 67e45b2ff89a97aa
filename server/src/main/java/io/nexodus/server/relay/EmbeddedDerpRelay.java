package io.nexodus.server.relay;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.CertificateNames;
import io.nexodus.core.tls.ServerCertificate;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.http.DerpRelayConfig;
import io.nexodus.derp.http.DerpRelayServer;
import io.nexodus.derp.http.TlsMode;
import io.nexodus.derp.server.DerpServer;
import io.nexodus.derp.server.MeshPeer;
import io.nexodus.server.EmbeddedContext;
import io.nexodus.server.EmbeddedService;
import io.nexodus.server.tls.TlsMaterial;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's public DERP relay (region 900, what agents use when a peer needs relaying and the VPC has no onboarded
 * relay): a {@link DerpRelayServer} on its own TCP port. TLS uses the service's own certificate when it has one that
 * covers the relay's host name (so agents trust the relay exactly as they trust the API), otherwise the relay's own
 * self-signed CA, whose PEM is published at {@code GET /api/relays}. Plain HTTP only with {@code --derp-plain-http}.
 */
public final class EmbeddedDerpRelay implements EmbeddedService {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDerpRelay.class);
    public static final int REGION_ID = 900;
    /** Upstream's names for the default region and node. */
    public static final String REGION_CODE = "web";

    public static final String REGION_NAME = "NexodusDefault";
    public static final String NODE_NAME = "900nex";
    /** How often the relay's view of the devices is brought up to date (a deleted device is cut off within it). */
    static final Duration REFRESH = Duration.ofMillis(500);

    private final DerpRelayOptions options;
    private final DerpMetrics metrics = new DerpMetrics();
    private volatile DerpRelayServer relay;
    private volatile ScheduledExecutorService refresher;
    private volatile RelayRegion region;
    /** The replicas' relays as one region, when meshing ({@code --derp-mesh-key}); null otherwise. */
    private volatile RelayMesh mesh;

    private volatile String how = "";

    public EmbeddedDerpRelay(DerpRelayOptions options) {
        this.options = options;
    }

    @Override
    public Set<String> tlsNames() {
        return options.hostname().map(Set::of).orElse(Set.of());
    }

    @Override
    public void bindMetrics(MeterRegistry registry) {
        metrics.bindTo(registry, () -> relay == null ? null : relay.stats());
    }

    @Override
    public void start(EmbeddedContext context) throws Exception {
        String hostname = options.hostname().orElseGet(() -> hostOf(context.publicUrl()));
        DerpRelayConfig.Builder b = DerpRelayConfig.builder()
                .hostname(hostname)
                .privateKeyFile(context.dataDir().resolve("derp.key"))
                .clock(context.clock());
        DeviceDirectory directory = new DeviceDirectory(context.devices());
        directory.refresh();
        b.verifier(directory).deliveryPolicy(directory);
        boolean customCa;
        String caPem = null;
        String tlsHow;
        Optional<TlsMaterial> serviceTls = context.tls();
        if (options.plainHttp()) {
            b.tlsMode(TlsMode.NONE);
            customCa = false;
            tlsHow = "plain HTTP (--derp-plain-http: development only, DERP's ClientInfo can be replayed without TLS)";
        } else if (serviceTls.isPresent()
                && CertificateNames.covers(serviceTls.get().chain().getFirst(), hostname)) {
            TlsMaterial m = serviceTls.get();
            b.certificate(new ServerCertificate(m.key(), m.chain()));
            customCa = !TrustBundles.trustedByJdkDefaults(m.chain());
            if (customCa) {
                caPem = m.caFile() != null
                        ? Files.readString(m.caFile(), StandardCharsets.US_ASCII)
                        : Optional.ofNullable(Certificates.rootOf(m.chain()))
                                .map(Certificates::toPem)
                                .orElse(null);
            }
            tlsHow = "TLS with the service's certificate";
        } else {
            Path dir = context.dataDir().resolve("derp-tls");
            b.tlsMode(TlsMode.SELF_SIGNED).certDir(dir);
            customCa = true;
            tlsHow = serviceTls.isPresent()
                    ? "TLS with its own self-signed CA (the service's certificate does not cover " + hostname + ")"
                    : "TLS with its own self-signed CA";
        }
        boolean tls = !options.plainHttp();
        options.meshKey().ifPresent(b::meshKey);
        b.meshPeers(options.meshWith().stream().map(s -> MeshPeer.parse(s, tls)).toList());
        String fallbackNote = "";
        DerpRelayServer started;
        if (options.listen().isPresent()) {
            started =
                    DerpRelayServer.start(b.bindAddress(options.listen().get()).build());
        } else {
            InetSocketAddress preferred = new InetSocketAddress(options.host(), DerpRelayOptions.PREFERRED_PORT);
            try {
                started = DerpRelayServer.start(b.bindAddress(preferred).build());
            } catch (IOException e) {
                InetSocketAddress fallback = new InetSocketAddress(options.host(), DerpRelayOptions.FALLBACK_PORT);
                try {
                    started = DerpRelayServer.start(b.bindAddress(fallback).build());
                } catch (IOException e2) {
                    throw new IOException(
                            "the DERP relay can bind neither port " + DerpRelayOptions.PREFERRED_PORT + " ("
                                    + rootCause(e) + ") nor " + DerpRelayOptions.FALLBACK_PORT + " (" + rootCause(e2)
                                    + "); choose a port with --derp-listen HOST:PORT or disable it with --derp-listen none",
                            e2);
                }
                fallbackNote = " (port " + DerpRelayOptions.PREFERRED_PORT + " unavailable: " + rootCause(e)
                        + "; --derp-listen chooses)";
                log.warn(
                        "DERP relay: port {} unavailable ({}), using {}; agents learn the port from /api/relays, but "
                                + "firewalls that pass only 443 will block it",
                        DerpRelayOptions.PREFERRED_PORT,
                        rootCause(e),
                        DerpRelayOptions.FALLBACK_PORT);
            }
        }
        relay = started;
        // deleted devices lose their connections within a refresh; moved ones are judged by their new VPC
        refresher = Executors.newScheduledThreadPool(
                2, Thread.ofPlatform().name("derp-devices-", 0).daemon(true).factory());
        DerpServer server = started.derpServer();
        ScheduledFuture<?> _ = refresher.scheduleWithFixedDelay(
                () -> {
                    try {
                        for (NodePublicKey gone : directory.refresh()) {
                            if (server.evict(gone) > 0) {
                                log.info("DERP relay: device key {} is no longer registered: disconnected", gone);
                            }
                        }
                    } catch (RuntimeException e) { // a failed round must not cancel the next ones
                        log.warn("DERP relay: refreshing the devices failed: {}", e.toString());
                    }
                },
                REFRESH.toMillis(),
                REFRESH.toMillis(),
                TimeUnit.MILLISECONDS);
        if (caPem == null && customCa) {
            caPem = started.caCertificateFile().isPresent()
                    ? Files.readString(started.caCertificateFile().get(), StandardCharsets.US_ASCII)
                    : null;
        }
        if (options.plainHttp()) {
            log.warn("DERP relay serves plain HTTP on {}: development only", started.boundAddress());
        }
        InetSocketAddress adv = options.advertise().orElse(null);
        int port = adv != null && adv.getPort() != 0 ? adv.getPort() : started.port();
        String dialIp = adv == null ? null : adv.getAddress().getHostAddress();
        boolean v6 = adv != null && adv.getAddress() instanceof Inet6Address;
        boolean meshing = options.meshKey().isPresent();
        RelayNode node = new RelayNode(
                meshing ? RelayMesh.nodeName(started.publicKey().toHex()) : NODE_NAME,
                REGION_ID,
                hostname,
                v6 ? null : dialIp,
                v6 ? dialIp : null,
                port,
                options.stunPort(),
                adv == null && !meshing ? started.url().toString() : url(tls, hostname, port),
                customCa,
                customCa ? caPem : null);
        region = RelayMesh.regionOf(List.of(node));
        String meshNote = "";
        if (meshing) {
            if (adv == null && started.boundAddress().getAddress().isAnyLocalAddress()) {
                log.warn(
                        "DERP relay: other replicas and agents dial this replica's relay at {}:{}; if that name is "
                                + "shared by several replicas (a load balancer), give --derp-advertise with this "
                                + "replica's own IP",
                        hostname,
                        port);
            }
            RegisteredNode self = new RegisteredNode(
                    node, started.publicKey().toBase64(), context.clock().instant());
            RelayMesh m = new RelayMesh(
                    self,
                    new DerpNodeStore(context.database()),
                    links(server),
                    context.clock(),
                    options.meshWith().stream().map(x -> MeshPeer.parse(x, tls)).collect(Collectors.toSet()));
            m.tick(); // the region lists the live replicas from the first request on
            mesh = m;
            ScheduledFuture<?> _ = refresher.scheduleWithFixedDelay(
                    () -> {
                        try {
                            m.tick();
                        } catch (RuntimeException e) { // a failed round must not cancel the next ones
                            log.warn("DERP mesh: refreshing the relay nodes failed: {}", e.toString());
                        }
                    },
                    RelayMesh.HEARTBEAT.toMillis(),
                    RelayMesh.HEARTBEAT.toMillis(),
                    TimeUnit.MILLISECONDS);
            meshNote = ", meshing as node " + node.name() + " with the replicas in the database";
        } else {
            warnIfOthersMesh(context);
        }
        how = "tcp " + started.boundAddress() + fallbackNote + ", " + tlsHow + ", key " + started.publicKey()
                + meshNote;
    }

    static String url(boolean tls, String host, int port) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return (tls ? "https" : "http") + "://" + h + ":" + port + "/derp";
    }

    private static RelayMesh.Links links(DerpServer server) {
        return new RelayMesh.Links() {
            @Override
            public Set<MeshPeer> peers() {
                return server.meshPeers();
            }

            @Override
            public void add(MeshPeer peer, Optional<SSLContext> trust) {
                boolean _ = server.addMeshPeer(peer, trust);
            }

            @Override
            public void remove(MeshPeer peer) {
                boolean _ = server.removeMeshPeer(peer);
            }
        };
    }

    /** Without the mesh key this relay stands alone; say so when other replicas' relays mesh on the same database. */
    private static void warnIfOthersMesh(EmbeddedContext context) {
        try {
            Instant cutoff = context.clock().instant().minus(RelayMesh.STALE);
            long others = new DerpNodeStore(context.database())
                    .list().stream().filter(n -> !n.lastSeen().isBefore(cutoff)).count();
            if (others > 0) {
                log.warn(
                        "DERP relay: {} other replica(s) on this database mesh their relays, but this one has no "
                                + "--derp-mesh-key: it publishes only its own node and relays only between its own "
                                + "clients",
                        others);
            }
        } catch (RuntimeException e) {
            log.debug("DERP relay: cannot read the relay nodes: {}", e.toString());
        }
    }

    @SuppressWarnings("ReferenceEquality") // a cause chain ends at a throwable that is its own cause: identity
    private static String rootCause(Throwable e) {
        Throwable t = e;
        for (int depth = 0; depth < 100 && t.getCause() != null; depth++) { // getCause() is null for itself
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    static String hostOf(String url) {
        String h = URI.create(url).getHost();
        if (h == null || h.isEmpty()) {
            throw new IllegalArgumentException("the service URL " + url + " has no host; give --derp-hostname");
        }
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    @Override
    public List<RelayRegion> publicRelays() {
        RelayMesh m = mesh;
        RelayRegion r = m != null ? m.region() : region;
        return r == null ? List.of() : List.of(r);
    }

    /** The running relay (tests, metrics). */
    public Optional<DerpRelayServer> relay() {
        return Optional.ofNullable(relay);
    }

    @Override
    public String describe() {
        DerpRelayServer r = relay;
        if (r == null) {
            return "DERP:       "
                    + options.listen().map(a -> "tcp " + a).orElse("tcp " + options.host() + ":443 (or 8444)");
        }
        return "DERP:       " + r.url() + "   (" + how + ")";
    }

    @Override
    public void close() {
        ScheduledExecutorService t = refresher;
        if (t != null) {
            t.shutdownNow();
        }
        RelayMesh m = mesh;
        if (m != null) {
            try { // a heartbeat under way would write the row again after it was removed
                boolean _ = t.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                m.leave();
            } catch (RuntimeException e) { // the others drop this node after the stale cutoff instead
                log.warn("DERP mesh: cannot remove this relay's node: {}", e.toString());
            }
        }
        DerpRelayServer r = relay;
        if (r != null) {
            r.close();
        }
    }
}
