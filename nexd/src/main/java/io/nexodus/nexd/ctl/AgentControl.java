package io.nexodus.nexd.ctl;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.nexodus.api.nexdctl.ConnectivityResult;
import io.nexodus.api.nexdctl.ExitNode;
import io.nexodus.api.nexdctl.IpFamily;
import io.nexodus.api.nexdctl.ListPeersResult;
import io.nexodus.api.nexdctl.NexdCtl;
import io.nexodus.api.nexdctl.NexdStatus;
import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.api.nexdctl.PeerReachability;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.api.nexdctl.ProxyDirection;
import io.nexodus.api.nexdctl.RelayKind;
import io.nexodus.nexd.agent.AgentStatus;
import io.nexodus.nexd.agent.PeerView;
import io.nexodus.nexd.peering.PeerInfo;
import io.nexodus.nexd.proxy.UserspaceProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * What {@code nexctl nexd ...} sees: the agent's status and peers over the control socket
 * ({@link io.nexodus.api.nexdctl.NexdCtlServer}). Reads the agent through a small view so it can be tested alone.
 */
public final class AgentControl implements NexdCtl {
    /** The parts of the agent the control socket shows. */
    public interface AgentView {
        AgentStatus status();

        Optional<String> tunnelIp(boolean v6);

        List<PeerView> peers();

        boolean relayPresent();

        boolean relayRequired();
    }

    /** Exit-node requests: the exit nodes of the VPC, and using one (empty: none). */
    public interface ExitNodes {
        List<PeerInfo> list();

        /** Starts ({@code selector} present) or stops using an exit node; returns a line, throws for the user. */
        String use(Optional<String> selector);
    }

    static final int PROBE_PARALLELISM = 10;
    static final Duration PROBE_TIMEOUT = Duration.ofMillis(1200);

    private final AgentView agent;
    private final Prober prober;
    /** {@code nexd proxy}'s rules; null in the other modes. */
    private final UserspaceProxy proxy;
    /** Null when this agent cannot use an exit node (tests). */
    private final ExitNodes exitNodes;

    /** Probes one address; returns the round-trip time, or empty when nothing answered. */
    @FunctionalInterface
    public interface Prober {
        Optional<Duration> probe(String address) throws InterruptedException;
    }

    public AgentControl(AgentView agent, Prober prober) {
        this(agent, prober, null);
    }

    /** @param proxy {@code nexd proxy}'s rules, or null when this agent is not a proxy (proxy requests then fail) */
    public AgentControl(AgentView agent, Prober prober, UserspaceProxy proxy) {
        this(agent, prober, proxy, null);
    }

    /** @param exitNodes exit-node requests, or null (they fail then) */
    public AgentControl(AgentView agent, Prober prober, UserspaceProxy proxy, ExitNodes exitNodes) {
        this.agent = agent;
        this.prober = prober;
        this.proxy = proxy;
        this.exitNodes = exitNodes;
    }

    @Override
    public List<ExitNode> listExitNodes() {
        ExitNodes x = requireExitNodes();
        Map<String, PeerView> views = new LinkedHashMap<>();
        for (PeerView v : agent.peers()) {
            views.put(v.publicKey(), v);
        }
        List<ExitNode> out = new ArrayList<>();
        for (PeerInfo p : x.list()) {
            PeerView v = views.get(p.publicKey());
            out.add(new ExitNode(
                    p.publicKey(),
                    v == null ? "" : v.endpoint(),
                    List.of(PeerInfo.EXIT_ROUTE),
                    p.hostname(),
                    v != null && v.allowedIps().contains(PeerInfo.EXIT_ROUTE)));
        }
        return out;
    }

    @Override
    public String enableExitNodeClient(String device) {
        return requireExitNodes().use(Optional.of(device == null ? "" : device.strip()));
    }

    @Override
    public String disableExitNodeClient() {
        return requireExitNodes().use(Optional.empty());
    }

    private ExitNodes requireExitNodes() {
        if (exitNodes == null) {
            throw new UnsupportedOperationException(NexdCtl.EXIT_NODE_NOT_SUPPORTED);
        }
        return exitNodes;
    }

    @Override
    public List<String> proxyList() {
        return requireProxy().list();
    }

    @Override
    public String proxyAdd(ProxyDirection direction, String rule) {
        return requireProxy().add(direction, rule);
    }

    @Override
    public String proxyRemove(ProxyDirection direction, String rule) {
        return requireProxy().remove(direction, rule);
    }

    private UserspaceProxy requireProxy() {
        if (proxy == null) {
            throw new UnsupportedOperationException(NexdCtl.PROXY_MODE_ONLY);
        }
        return proxy;
    }

    /** ICMP echo through the tunnel (as upstream's {@code peers ping}): {@code InetAddress.isReachable} as root. */
    public static Prober icmp() {
        return address -> {
            for (int attempt = 0; attempt < 2; attempt++) {
                long t0 = System.nanoTime();
                try {
                    if (InetAddress.getByName(address).isReachable((int) PROBE_TIMEOUT.toMillis())) {
                        return Optional.of(Duration.ofNanos(System.nanoTime() - t0));
                    }
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
            return Optional.empty();
        };
    }

    @Override
    public String version() {
        return NexodusVersion.current();
    }

    @Override
    public NexdStatus status() {
        AgentStatus s = agent.status();
        return new NexdStatus(s.state(), s.message());
    }

    @Override
    public String tunnelIp(IpFamily family) {
        return agent.tunnelIp(family == IpFamily.V6)
                .orElseThrow(() ->
                        new IllegalStateException("this device has no " + (family == IpFamily.V6 ? "IPv6" : "IPv4")
                                + " tunnel address (yet): " + agent.status().state()));
    }

    @Override
    public ListPeersResult listPeers() {
        Map<String, PeerStatus> peers = new LinkedHashMap<>();
        for (PeerView v : agent.peers()) {
            peers.put(
                    v.publicKey(),
                    new PeerStatus(
                            v.publicKey(),
                            v.endpoint(),
                            v.allowedIps(),
                            PeerStatus.formatHandshake(v.lastHandshake()),
                            v.txBytes(),
                            v.rxBytes(),
                            v.healthy(),
                            v.hostname(),
                            v.tunnelIps(),
                            v.method() == null ? null : v.method().wireName(),
                            relayKind(v),
                            v.relayName(),
                            v.pathNote()));
        }
        return new ListPeersResult(agent.relayPresent(), agent.relayRequired(), peers);
    }

    static String relayKind(PeerView v) {
        return PeerView.WIREGUARD_RELAY.equals(v.relay()) ? RelayKind.WIREGUARD_RELAY : v.relay();
    }

    @Override
    public ConnectivityResult connectivity(IpFamily family) {
        List<PeerView> peers = agent.peers();
        Map<String, PeerReachability> out = new LinkedHashMap<>();
        Semaphore slots = new Semaphore(PROBE_PARALLELISM);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Map.Entry<PeerView, Future<Optional<Duration>>>> running = new ArrayList<>();
            for (PeerView v : peers) {
                Optional<String> ip = v.tunnelIps().stream()
                        .filter(a -> (family == IpFamily.V6) == a.contains(":"))
                        .findFirst();
                if (ip.isEmpty()) {
                    continue;
                }
                running.add(Map.entry(v, pool.submit(() -> {
                    slots.acquire();
                    try {
                        return prober.probe(ip.get());
                    } finally {
                        slots.release();
                    }
                })));
            }
            for (Map.Entry<PeerView, Future<Optional<Duration>>> e : running) {
                PeerView v = e.getKey();
                String ip = v.tunnelIps().stream()
                        .filter(a -> (family == IpFamily.V6) == a.contains(":"))
                        .findFirst()
                        .orElseThrow();
                Optional<Duration> rtt;
                try {
                    rtt = e.getValue().get();
                } catch (Exception ex) {
                    rtt = Optional.empty();
                }
                out.put(
                        ip,
                        new PeerReachability(
                                ip,
                                rtt.isPresent(),
                                v.hostname(),
                                PeerReachability.formatLatency(rtt.orElse(null)),
                                v.method() == null ? null : v.method().wireName()));
            }
        }
        return new ConnectivityResult(agent.relayPresent(), agent.relayRequired(), out);
    }

    @Override
    public boolean debug() {
        Logger l = nexodusLogger();
        return l != null && l.getEffectiveLevel().levelInt <= Level.DEBUG_INT;
    }

    @Override
    public void setDebug(boolean on) {
        Logger l = nexodusLogger();
        if (l == null) {
            throw new UnsupportedOperationException("logging is not Logback here; set NEXD_LOGLEVEL=debug and restart");
        }
        l.setLevel(on ? Level.DEBUG : null);
        // the security group's line per dropped new flow comes from the filter's logger
        if (LoggerFactory.getLogger("io.nexodus.packetfilter") instanceof Logger filter) {
            filter.setLevel(on ? Level.DEBUG : null);
        }
        LoggerFactory.getLogger(AgentControl.class).info("debug logging {}", on ? "on" : "off");
    }

    private static Logger nexodusLogger() {
        org.slf4j.Logger l = LoggerFactory.getLogger("io.nexodus.nexd");
        return l instanceof Logger lb ? lb : null;
    }

    /** An {@link AgentView} from suppliers (for the agent and for tests). */
    public static AgentView view(
            Supplier<AgentStatus> status,
            Function<Boolean, Optional<String>> tunnelIp,
            Supplier<List<PeerView>> peers,
            Supplier<Boolean> relayPresent,
            Supplier<Boolean> relayRequired) {
        return new AgentView() {
            @Override
            public AgentStatus status() {
                return status.get();
            }

            @Override
            public Optional<String> tunnelIp(boolean v6) {
                return tunnelIp.apply(v6);
            }

            @Override
            public List<PeerView> peers() {
                return peers.get();
            }

            @Override
            public boolean relayPresent() {
                return relayPresent.get();
            }

            @Override
            public boolean relayRequired() {
                return relayRequired.get();
            }
        };
    }
}
