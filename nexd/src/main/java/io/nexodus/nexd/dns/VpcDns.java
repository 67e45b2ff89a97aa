package io.nexodus.nexd.dns;

import io.nexodus.api.model.Device;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names in the VPC ({@code nexd --dns}): a DNS server on this device's tunnel addresses that answers
 * {@code <hostname>.nexodus} from the VPC's device list ({@link VpcNames}) and forwards every other name to the
 * resolvers the host had before, and the host's resolver pointed at it ({@link HostResolver}). A refresh every
 * {@link #REFRESH} takes the device list, follows a change of the tunnel addresses (the server moves, the resolver
 * is pointed again) and puts the managed resolv.conf block back when another tool rewrote the file.
 * {@link #close()} puts the host's resolver configuration back as it was.
 */
public final class VpcDns implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VpcDns.class);
    static final Duration REFRESH = Duration.ofMillis(500);
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(2);

    private final Supplier<Optional<Collection<Device>>> devices;
    private final Supplier<List<InetAddress>> tunnelAddresses;
    private final HostResolver resolver;
    private final int port;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("nexd-dns-refresh").daemon(true).factory());
    private final DnsAnswerer answerer;
    private final UpstreamForwarder forwarder;
    private volatile VpcNames names = VpcNames.EMPTY;
    private List<InetAddress> bound = List.of();
    private List<InetAddress> wanted = List.of();
    private int ticksSinceBind;
    /** An address that could not be bound yet (IPv6 duplicate address detection) is tried again this often. */
    private static final int RETRY_TICKS = 2;

    private DnsServer server;
    private volatile String problem = "";
    private boolean closed;

    private VpcDns(
            Supplier<Optional<Collection<Device>>> devices,
            Supplier<List<InetAddress>> tunnelAddresses,
            HostResolver resolver,
            int port,
            List<InetAddress> upstreams,
            int upstreamPort) {
        this.devices = devices;
        this.tunnelAddresses = tunnelAddresses;
        this.resolver = resolver;
        this.port = port;
        List<InetSocketAddress> ups = new ArrayList<>();
        upstreams.forEach(a -> ups.add(new InetSocketAddress(a, upstreamPort)));
        this.forwarder = new UpstreamForwarder(ups, FORWARD_TIMEOUT);
        this.answerer = new DnsAnswerer(() -> names, forwarder);
    }

    /**
     * Removes what a crashed nexd may have left in the host's resolver configuration, takes the host's resolvers as
     * the upstreams, and starts; the server and the resolver change follow once the device has a tunnel address.
     */
    public static VpcDns start(
            Supplier<Optional<Collection<Device>>> devices,
            Supplier<List<InetAddress>> tunnelAddresses,
            HostResolver resolver,
            int port)
            throws IOException {
        return start(devices, tunnelAddresses, resolver, port, 53);
    }

    static VpcDns start(
            Supplier<Optional<Collection<Device>>> devices,
            Supplier<List<InetAddress>> tunnelAddresses,
            HostResolver resolver,
            int port,
            int upstreamPort)
            throws IOException {
        resolver.remove();
        List<InetAddress> upstreams = resolver.upstreams();
        VpcDns d = new VpcDns(devices, tunnelAddresses, resolver, port, upstreams, upstreamPort);
        log.info(
                "DNS: names under .{} answered on the tunnel addresses; host resolver: {}; other names forwarded to {}",
                VpcNames.ZONE,
                resolver.describe(),
                upstreams.isEmpty() ? "nothing (they go to the host's resolver directly)" : upstreams);
        var _ = d.refresher.scheduleWithFixedDelay(d::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        return d;
    }

    private synchronized void refresh() {
        if (closed) {
            return;
        }
        try {
            devices.get().ifPresent(ds -> names = VpcNames.of(ds));
            List<InetAddress> want = tunnelAddresses.get();
            if (!want.equals(wanted) || (bound.size() < want.size() && ++ticksSinceBind >= RETRY_TICKS)) {
                wanted = want;
                ticksSinceBind = 0;
                rebind(want);
            } else if (resolver instanceof HostResolver.ResolvConfBlock f && !bound.isEmpty() && !f.installed()) {
                log.warn("DNS: {} was rewritten by another tool; putting nexd's block back", resolver.describe());
                resolver.install(bound);
            }
            problem = "";
        } catch (IOException | RuntimeException e) {
            if (!String.valueOf(e.getMessage()).equals(problem)) {
                log.warn("DNS: {}", e.getMessage());
            }
            problem = String.valueOf(e.getMessage());
        }
    }

    private void rebind(List<InetAddress> want) throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
        bound = List.of();
        if (want.isEmpty()) {
            resolver.remove();
            return;
        }
        List<InetSocketAddress> on = new ArrayList<>();
        want.forEach(a -> on.add(new InetSocketAddress(a, port)));
        server = DnsServer.start(on, answerer);
        List<InetAddress> serving = new ArrayList<>();
        server.localAddresses().forEach(a -> serving.add(((InetSocketAddress) a).getAddress()));
        resolver.install(serving);
        bound = List.copyOf(serving);
        log.info("DNS: serving {} names on {}", names.size(), server.localAddresses());
    }

    /** The names now (for tests and status). */
    public VpcNames names() {
        return names;
    }

    /** {@code nexctl nexd status} lines. */
    public List<String> statusLines() {
        List<InetAddress> on;
        synchronized (this) {
            on = bound;
        }
        String where = on.isEmpty()
                ? "not serving yet (no tunnel address)"
                : on.stream().map(a -> a.getHostAddress() + ":" + port).toList().toString();
        DnsServer s = server;
        return List.of("DNS: " + names.size() + " names under ." + VpcNames.ZONE + " on " + where
                + "; host resolver: " + resolver.describe() + "; answered " + answerer.answered.sum()
                + ", not found " + answerer.notFound.sum() + ", forwarded " + answerer.forwarded.sum()
                + " (failed " + answerer.forwardFailed.sum() + "), malformed " + answerer.malformed.sum()
                + ", dropped " + (s == null ? 0 : s.dropped.sum())
                + ", over TCP " + (s == null ? 0 : s.tcpQueries.sum())
                + (problem.isEmpty() ? "" : "; problem: " + problem));
    }

    /** Stops serving and puts the host's resolver configuration back. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        refresher.shutdownNow();
        try {
            resolver.remove();
        } catch (IOException e) {
            log.warn("DNS: cannot restore {}: {}", resolver.describe(), e.getMessage());
        }
        if (server != null) {
            server.close();
        }
    }
}
