package io.nexodus.nexd.agent;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.ListOptions;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.NexodusClientException;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.PeerMap;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.RelayMetadata;
import io.nexodus.api.model.SignedPeerMap;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.nexdctl.NexdCtlServer;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.netstack.NetStack;
import io.nexodus.nexd.ctl.AgentControl;
import io.nexodus.nexd.derpproxy.WireGuardDerpProxy;
import io.nexodus.nexd.endpoint.Addresses;
import io.nexodus.nexd.endpoint.LocalAddresses;
import io.nexodus.nexd.endpoint.NatDiscovery;
import io.nexodus.nexd.endpoint.NatObservation;
import io.nexodus.nexd.endpoint.ReflexiveProbe;
import io.nexodus.nexd.endpoint.StunProbeFactory;
import io.nexodus.nexd.net.CommandRunner;
import io.nexodus.nexd.net.ExitRouting;
import io.nexodus.nexd.net.HostsFile;
import io.nexodus.nexd.net.NetConfigException;
import io.nexodus.nexd.net.NftSecurityGroup;
import io.nexodus.nexd.net.RelayForwarding;
import io.nexodus.nexd.net.SubnetRouting;
import io.nexodus.nexd.net.TunnelInterface;
import io.nexodus.nexd.net.TunnelLink;
import io.nexodus.nexd.peering.Cidrs;
import io.nexodus.nexd.peering.PeerInfo;
import io.nexodus.nexd.peering.SelfInfo;
import io.nexodus.nexd.proxy.StackLink;
import io.nexodus.nexd.proxy.StackTun;
import io.nexodus.nexd.proxy.UserspaceProxy;
import io.nexodus.nexd.state.NexdState;
import io.nexodus.nexd.state.StateException;
import io.nexodus.nexd.state.StateStore;
import io.nexodus.nexd.state.StoredPeerMap;
import io.nexodus.nexd.wg.BackendException;
import io.nexodus.nexd.wg.DatagramPort;
import io.nexodus.nexd.wg.JavaBackend;
import io.nexodus.nexd.wg.SeparateSocket;
import io.nexodus.nexd.wg.UapiBackend;
import io.nexodus.nexd.wg.WireGuardBackend;
import io.nexodus.packetfilter.StatefulFilter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent: joins the VPC and keeps this device's WireGuard peers right until it is closed.
 * <p>
 * Start-up, in upstream's order: state (keys, port) → WireGuard up (TUN + UDP socket) → log in → STUN from the
 * WireGuard socket (reflexive address, symmetric NAT?) → register (create, or PATCH on 409) → open the sealed device
 * token, use {@code DT:} → tunnel addresses and routes → (relay: forwarding, relay metadata) → one watch stream with
 * devices, security groups and relay metadata → reconcile.
 * <p>
 * Once running, every input is an {@link AgentEvent} on one bounded queue drained by one platform thread,
 * {@link AgentLoop}, which alone owns this device's registration, the device client and the peering state: watch events
 * and the device's deletion ({@link VpcSession}), STUN's NAT changes, a refused device token and the re-registration
 * it starts, endpoints the service accepted ({@link EndpointPublisher}), the public DERP relay, and a tick every
 * {@code tickInterval} that samples WireGuard and drives the failover state machines. The data plane never waits for
 * the service: when it is unreachable the peers stay as they are and the watch stream resumes by revision once it is
 * back. Start-up ({@link #start()}) runs on the caller's thread before the loop exists.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    static final Duration START_RETRY_MAX = Duration.ofSeconds(15);
    /** {@code nexd proxy}: packets the userspace stack may queue for WireGuard (about 1.4 MB at MTU 1420). */
    static final int STACK_QUEUE = 1024;

    private final AgentConfig config;
    private final Object publishedRelayMetadata;
    private final StunProbeFactory stunProbes;
    private final Clock clock;
    private final CommandRunner commands;
    private final StateStore store;
    private final String version;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AgentEvents events = new AgentEvents();

    private volatile AgentStatus status = AgentStatus.of(AgentStatus.STARTING, "");
    /** Set once by {@link #close()}: start-up steps that retry give up. */
    private volatile boolean closing;

    private WireGuardBackend wg;
    private ServiceLogin.Login login;
    private NexdCtlServer ctl;
    private SeparateSocket ownStunSocket;
    private TunnelLink tunnel;
    /** {@code nexd proxy}: the rules and their forwarders (null in the other modes). */
    private UserspaceProxy proxy;
    /** {@code nexd proxy}: WireGuard's interface, a userspace network stack (null in the other modes). */
    private StackTun stackTun;

    private RelayForwarding forwarding;
    private SubnetRouting subnetRouting;
    private StunMonitor stun;
    /** Published for the control socket; the loop owns its updates. */
    private volatile Reconciler reconciler;
    /** Published for the control socket; the loop owns its updates. */
    private volatile SecurityGroupEnforcer securityGroups;

    private WireGuardDerpProxy derpProxy;
    private final List<Supplier<List<String>>> extraStatus = new CopyOnWriteArrayList<>();
    private final HostsFile hostsFile = new HostsFile(Path.of("/etc/hosts"));
    private volatile VpcSession session;
    private EndpointPublisher publisher;
    /** Sends connectivity reports; at most one runs at a time. */
    private ExecutorService reporterThreads;
    /** Published for the control socket once running. */
    private volatile AgentLoop loop;
    /** This device as first registered, for the control socket until the loop runs. */
    private volatile Device registered;
    /** Written by start-up before the loop starts, read by it afterwards. */
    private Vpc vpc;
    /** Written by start-up before the loop starts, read by it afterwards. */
    private InetAddress localIp;
    /** Completed by the first start-up call that found the service unreachable (not one it refused). */
    private final CompletableFuture<String> serviceUnreachable = new CompletableFuture<>();
    /** Logging in and finding the VPC; after a start from the stored peer map, registering waits for it. */
    private volatile CompletableFuture<Registration.Target> targetFuture;
    /** Set while running from the stored peer map (the service unreachable since start); the status line. */
    private volatile AgentStatus offlineStatus;
    /** Keeps the service's signed peer map in the state directory while registered. */
    private volatile PeerMapKeeper peerMaps;
    /** The first STUN round of start-up (after a start from the map, registering waits for it before asking again). */
    private volatile CompletableFuture<NatObservation> initialStun;

    private ExecutorService peerMapThreads;

    public Agent(AgentConfig config, StunProbeFactory stunProbes, Clock clock, CommandRunner commands, String version) {
        this(config, stunProbes, clock, commands, version, Map.of("type", "wireguard"));
    }

    /**
     * @param relayMetadata what a relay ({@link AgentConfig#registersAsRelay()}) publishes as its device metadata
     *                      {@code relay}: {@code {"type":"wireguard"}} for {@code nexd relay}, the DERP relay's
     *                      {@code {"type":"derp", ...}} for {@code nexd relayderp --onboard}
     */
    public Agent(
            AgentConfig config,
            StunProbeFactory stunProbes,
            Clock clock,
            CommandRunner commands,
            String version,
            Object relayMetadata) {
        this.publishedRelayMetadata = relayMetadata;
        this.config = config;
        this.stunProbes = stunProbes;
        this.clock = clock;
        this.commands = commands;
        this.version = version;
        this.store = new StateStore(config.stateDir());
    }

    /** What this agent is, for the status line. */
    private String role() {
        return config.isRelay()
                ? "relay"
                : config.registersAsRelay()
                        ? "DERP relay device"
                        : config.router().isRouter() ? "router" : config.isProxy() ? "proxy device" : "device";
    }

    // ================================================================================================= lifecycle

    /** Starts and runs until {@link #close()} (SIGTERM). Throws if the agent cannot start. */
    public void run() throws StartupException, InterruptedException {
        try {
            start();
        } catch (StartupException | InterruptedException | RuntimeException e) {
            if (e.getCause() instanceof ApiException a && a.isDeviceDeleted()) {
                forgetPeerMap(); // a restart while the service is down must not bring the deleted device back
            }
            status = AgentStatus.of(AgentStatus.ERROR, e.getMessage());
            close();
            throw e;
        }
        stopped.await();
    }

    void start() throws StartupException, InterruptedException {
        StartupClock steps = new StartupClock();
        if (config.isProxy()) {
            try {
                proxy = new UserspaceProxy(config.proxy().rules(), store, UserspaceProxy.UDP_IDLE);
            } catch (StateException | IllegalArgumentException e) {
                throw new StartupException(e.getMessage(), e);
            }
        }
        startControlSocket();
        NexdState state = loadState();
        // Logging in and finding the VPC need only the network, not WireGuard: they run while the interface comes up
        // (both are mostly waiting: class loading, a TLS handshake, round trips).
        NexodusClient anonymous = NexodusClient.builder(config.serviceUrl())
                .tls(config.tls())
                .userAgent("nexd/" + version + " (linux; " + System.getProperty("os.arch") + ")")
                .connectTimeout(Duration.ofSeconds(5))
                .requestTimeout(Duration.ofSeconds(20))
                .build();
        Registration registration = new Registration(config);
        targetFuture = async("nexd-login", () -> {
            ServiceLogin.Login l = retrying(
                    "log in to " + config.serviceUrl(),
                    () -> new ServiceLogin(config, store, s -> status = s, clock).login(anonymous));
            this.login = l;
            return retrying("find the VPC", () -> registration.target(l));
        });
        wg = startWireGuard(state);
        int port = wg.listenPort();
        try {
            store.update(st -> st.withPort(port));
        } catch (StateException e) {
            throw new StartupException(e.getMessage(), e);
        }
        log.info(
                "WireGuard {} up on UDP port {} ({}), public key {}",
                wg.interfaceName(),
                wg.listenPort(),
                wg.describe(),
                wg.publicKey());
        steps.mark("wireguard");

        NatDiscovery discovery = new NatDiscovery(stunProbe(), resolveStunServers());
        stun = new StunMonitor(
                discovery,
                config.stunInterval(),
                Duration.ofSeconds(1),
                n -> events.post(new AgentEvent.NatChanged(n)));
        CompletableFuture<NatObservation> natFuture = async("nexd-stun-initial", stun::initial);
        initialStun = natFuture;
        Optional<PeerMap> offline = serviceOrStoredMap(targetFuture);
        NatObservation nat;
        Registration.Target target = null;
        if (offline.isEmpty()) {
            target = await(targetFuture);
            status = AgentStatus.of(AgentStatus.STARTING, "registering with " + config.serviceUrl());
            steps.mark("login");
            nat = await(natFuture);
            log.info("STUN: {}", nat.describe());
            steps.mark("stun");
        } else {
            // the service's STUN servers are most likely away with it: peer as the service last saw us
            nat = OfflinePeerMap.natOf(offline.get().device());
            steps.mark("stored peer map");
        }
        ServiceLogin.Login login = this.login;
        localIp = config.localEndpointIp()
                .or(() -> new LocalAddresses()
                        .defaultRouteAddress(discovery.servers().getFirst().getAddress()))
                .orElse(null);
        if (localIp == null) {
            log.warn("no default route and no --local-endpoint-ip: this device announces no local endpoint");
        }
        Registration.Joined joined;
        if (offline.isEmpty()) {
            Registration.Announcement me = announcement(nat);
            Registration.Target t = target;
            joined = retrying(
                    "register this device",
                    () -> registration.join(login, t, me, loadState().privateKey()));
        } else {
            // no device token yet: nothing goes to the service until the device is registered again
            joined = new Registration.Joined(
                    offline.get().device(), offline.get().vpc(), anonymous);
        }
        Device self = joined.device();
        vpc = joined.vpc();
        NexodusClient asDevice = joined.asDevice();
        registered = self;
        if (config.isRelay()) {
            // a registration key may not list the VPC's devices, the device token may: check right after joining
            retrying("check for another WireGuard relay", () -> {
                refuseSecondRelay(asDevice, self);
                return null;
            });
        }
        steps.mark("register");
        session = new VpcSession(
                vpc, wg.publicKey(), config.watchMaxBackoff(), !config.isRelay(), events, this::registerAgain);
        if (offline.isEmpty()) {
            session.openWatch(asDevice); // the initial list arrives while the interface is configured
        } else {
            session.seed(offline.get());
        }

        String v4 = Registration.firstAddress(self.ipv4TunnelIps());
        String v6 = Registration.firstAddress(self.ipv6TunnelIps());
        log.info("device {}: tunnel addresses {} {}", self.id(), v4, v6 == null ? "" : v6);
        if (config.isProxy()) {
            // no interface on the host: the addresses live in the userspace stack and clash with nothing
            tunnel = new StackLink(stackTun, proxy);
        } else {
            checkConflicts(v4, v6);
            tunnel = new TunnelInterface(commands, wg.interfaceName());
        }
        try {
            tunnel.configure(v4, v6, vpcCidrs(vpc));
        } catch (NetConfigException e) {
            throw new StartupException("cannot configure " + wg.interfaceName() + ": " + e.getMessage(), e);
        }
        if (config.isRelay()) {
            forwarding = new RelayForwarding(commands, wg.interfaceName());
            try {
                forwarding.enable();
            } catch (NetConfigException e) {
                throw new StartupException(e.getMessage(), e);
            }
        }
        if (config.router().networkRouter() || config.router().exitNode()) {
            subnetRouting = new SubnetRouting(
                    commands,
                    wg.interfaceName(),
                    config.router().networkRouter() ? config.router().subnets() : List.of(),
                    config.router().nat(),
                    config.router().exitNode());
            try {
                subnetRouting.enable();
            } catch (NetConfigException e) {
                throw new StartupException("cannot route the advertised networks: " + e.getMessage(), e);
            }
        }
        if (config.router().isRouter()) {
            log.info("subnet router: {}", config.router().describe());
        }
        if (config.registersAsRelay()) {
            retrying(
                    "publish the relay metadata",
                    () -> asDevice.devices().putMetadata(self.id(), "relay", publishedRelayMetadata));
        }
        steps.mark("interface");
        SelfInfo selfInfo = new SelfInfo(
                wg.publicKey(),
                config.isRelay(),
                config.relayOnly() || nat.symmetricNat(),
                config.relayOnly(),
                nat.reflexive().map(InetSocketAddress::getAddress),
                vpcCidrs(vpc),
                nat.portPrediction().isPresent());
        derpProxy = config.isRelay()
                ? null
                : new WireGuardDerpProxy(
                        wg.listenPort(),
                        new DerpConnection(
                                config.tls(),
                                config.derpCaCert(),
                                derpNodeKey(),
                                hostsFile,
                                session::publicRegionNodes),
                        session::isVpcPeer);
        Reconciler rec = new Reconciler(wg, tunnel, config.timeouts(), clock, derpProxy);
        String iface = wg.interfaceName();
        rec.avoidRoutingOver(() -> ownNetworks(iface));
        if (!config.isProxy()) {
            rec.routeExitTraffic(new ExitRouting(commands, iface), exitBypass(discovery.servers()));
        }
        reconciler = rec;
        startUsingExitNode(rec);
        SecurityGroupEnforcer groups = new SecurityGroupEnforcer(
                new StatefulFilter(),
                wg,
                vpc.id(),
                config.isRelay(),
                System::nanoTime,
                new NftSecurityGroup(CommandRunner.SYSTEM, iface));
        securityGroups = groups;
        if (!groups.enforced()) {
            log.info("{} does not filter packets: security groups are not enforced on this device", wg.describe());
        }
        publisher = new EndpointPublisher(events);
        StunMonitor stunMonitor = stun;
        AgentLoop.Setup setup = new AgentLoop.Setup(
                role(),
                config.relayOnly(),
                config.tickInterval(),
                this::endpoints,
                stunMonitor::recheck,
                s -> status = s,
                this::moveTunnelAddresses);
        reporterThreads = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name("nexd-connectivity").factory());
        ConnectivityReporter reporter =
                new ConnectivityReporter(clock, (c, id, r) -> c.devices().reportConnectivity(id, r), reporterThreads);
        AgentLoop l =
                new AgentLoop(events, setup, session, publisher, reporter, rec, groups, vpc, joined, selfInfo, nat);
        peerMapThreads = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name("nexd-peer-map").factory());
        peerMaps = new PeerMapKeeper(
                clock,
                new PeerMapKeeper.Service() {
                    @Override
                    public PeerMapKey key(NexodusClient c) {
                        return c.devices().peerMapKey();
                    }

                    @Override
                    public SignedPeerMap map(NexodusClient c, UUID id) {
                        return c.devices().peerMap(id);
                    }
                },
                store::savePeerMap,
                peerMapThreads,
                config.peerMapMaxAge());
        if (!config.isProxy() && !config.registersAsRelay()) {
            PeerMapKeeper keeper = peerMaps;
            l.keepPeerMaps(new AgentLoop.MapKeeper() {
                @Override
                public void offer(NexodusClient c, UUID id, long version) {
                    keeper.offer(c, id, version);
                }

                @Override
                public void forget() {
                    forgetPeerMap();
                }
            });
        }
        if (offline.isPresent()) {
            l.startOffline();
            offlineStatus = AgentStatus.of(
                    AgentStatus.RUNNING,
                    "offline: using signed peer map from " + offline.get().issuedAt() + " (" + role() + " "
                            + self.id() + " in VPC " + vpc.id() + ", tunnel IP " + v4 + "); the service "
                            + config.serviceUrl() + " is unreachable, retrying");
            status = offlineStatus;
        } else {
            status = AgentStatus.of(
                    AgentStatus.RUNNING, role() + " " + self.id() + " in VPC " + vpc.id() + ", tunnel IP " + v4);
        }
        loop = l;
        l.start();
        if (offline.isPresent()) {
            session.reattach(self, nat); // registers as soon as the service answers; STUN starts then
        } else {
            stun.start();
        }
        log.info("running: {} ({})", status.message(), steps.summary());
    }

    /**
     * Waits until the service answered the first start-up calls, or until one found it unreachable: then, if the
     * stored peer map may be used ({@link OfflinePeerMap}), returns it, so start-up brings the tunnels up from it while
     * registering goes on in the background. Empty: start as always (wait for the service). Only ordinary devices and
     * routers start from a map; a relay, a DERP relay device and {@code nexd proxy} wait for the service.
     */
    private Optional<PeerMap> serviceOrStoredMap(CompletableFuture<Registration.Target> target)
            throws InterruptedException {
        if (config.registersAsRelay() || config.isProxy()) {
            return Optional.empty();
        }
        try {
            CompletableFuture.anyOf(target, serviceUnreachable).get();
        } catch (ExecutionException e) {
            return Optional.empty(); // start-up failed: await(target) says why
        }
        if (target.isDone()) {
            return Optional.empty();
        }
        Optional<StoredPeerMap> stored;
        try {
            stored = store.loadPeerMap();
        } catch (StateException e) {
            log.warn("not using the stored peer map: {}; waiting for the service", e.getMessage());
            return Optional.empty();
        }
        OfflinePeerMap.Decision d =
                OfflinePeerMap.decide(stored, wg.publicKey(), config.peerMapMaxAge(), clock.instant());
        return switch (d) {
            case OfflinePeerMap.Use u -> {
                log.warn(
                        "the service {} is unreachable ({}); starting from the signed peer map of {} ({} peers);"
                                + " registering in the background",
                        config.serviceUrl(),
                        serviceUnreachable.getNow(""),
                        u.map().issuedAt(),
                        u.map().peers().size());
                yield Optional.of(u.map());
            }
            case OfflinePeerMap.Refuse r -> {
                log.warn("{}; waiting for the service", r.reason());
                yield Optional.empty();
            }
            case OfflinePeerMap.Absent a -> {
                log.info("the service is unreachable and nexd waits for it: {}", a.reason());
                yield Optional.empty();
            }
        };
    }

    /**
     * After a start from the stored peer map: registers once the service answers (the login and VPC lookup have been
     * retrying since start), with a fresh STUN observation if its STUN servers answer, then starts the STUN monitor.
     * The loop then opens the watch, whose list replaces the map.
     */
    private Registration.Joined rejoinAfterOffline(Device oldSelf, NatObservation storedNat)
            throws StartupException, InterruptedException {
        Registration.Target target = await(targetFuture);
        await(initialStun); // most likely long done (no answer): one round at a time on the WireGuard socket
        NatObservation fresh = stun.initial();
        log.info("the service answers again; STUN: {}", fresh.describe());
        NatObservation nat = storedNat;
        if (!fresh.stunFailed()) {
            nat = fresh;
            events.post(new AgentEvent.NatChanged(fresh));
        }
        String oldV4 = Registration.firstAddress(oldSelf.ipv4TunnelIps());
        Registration.Announcement me = new Registration.Announcement(
                wg.publicKey(),
                false,
                config.relayOnly() || nat.symmetricNat(),
                config.hostname(),
                endpoints(nat),
                oldV4 != null ? Optional.of(oldV4) : config.requestIp());
        Registration registration = new Registration(config);
        Registration.Joined joined = retrying(
                "register this device",
                () -> registration.join(login, target, me, loadState().privateKey()));
        if (!joined.vpc().id().equals(oldSelf.vpcId())) {
            log.warn(
                    "registered in VPC {}, but the stored peer map was of VPC {}: the watch replaces it",
                    joined.vpc().id(),
                    oldSelf.vpcId());
        }
        offlineStatus = null;
        stun.start();
        return joined;
    }

    /** Removes the stored peer map of a deleted device. */
    private void forgetPeerMap() {
        try {
            store.deletePeerMap();
        } catch (StateException e) {
            log.warn("{}; a restart while the service is unreachable may start from it", e.getMessage());
        }
    }

    /** The control socket comes first, so `nexctl nexd status` can tell what start-up waits for. */
    private void startControlSocket() throws StartupException {
        AgentControl control = new AgentControl(
                AgentControl.view(
                        this::controlStatus, this::tunnelIp, this::peers, this::relayPresent, this::relayRequired),
                AgentControl.icmp(),
                proxy,
                new ExitNodeControl());
        try {
            ctl = new NexdCtlServer(config.controlSocket(), control).start();
        } catch (IOException e) {
            throw new StartupException(
                    "cannot serve the control socket " + config.controlSocket() + ": " + e.getMessage()
                            + (String.valueOf(e.getMessage()).contains("another process")
                                    ? " (is another nexd running?)"
                                    : ""),
                    e);
        }
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (ctl != null) {
            ctl.close();
        }
        if (stun != null) {
            stun.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (reconciler != null) {
            reconciler.closeExitRouting(); // before the interface goes: the host routes as it did before nexd
        }
        if (reporterThreads != null) {
            reporterThreads.shutdownNow();
        }
        if (peerMapThreads != null) {
            peerMapThreads.shutdownNow();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (session != null) {
            session.close();
        }
        if (forwarding != null) {
            forwarding.close();
        }
        if (subnetRouting != null) {
            subnetRouting.close();
        }
        if (derpProxy != null) {
            derpProxy.close();
        }
        if (securityGroups != null) {
            securityGroups.close();
        }
        try {
            hostsFile.clear();
        } catch (IOException e) {
            log.warn("cannot remove nexd's block from /etc/hosts: {}", e.getMessage());
        }
        if (proxy != null) {
            proxy.close();
        }
        if (wg != null) {
            wg.close(); // in proxy mode this closes the stack too (the device closes its TUN)
        }
        if (ownStunSocket != null) {
            ownStunSocket.close();
        }
        stopped.countDown();
    }

    // ================================================================================================= start-up parts

    private NexdState loadState() throws StartupException {
        try {
            NexdState s = store.load();
            if (!s.hasKeys()) {
                NodePrivateKey priv = NodePrivateKey.generate();
                s = s.withKeys(priv.publicKey().toBase64(), priv.toBase64());
                store.save(s);
                log.info("new WireGuard key pair, stored in {}", store.file());
            }
            return s;
        } catch (StateException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    private WireGuardBackend startWireGuard(NexdState state) throws StartupException {
        String name = config.interfaceName();
        if (!config.isProxy() && TunnelInterface.exists(name)) {
            throw new StartupException(
                    "a network interface named " + name + " exists already (another nexd or WireGuard?);"
                            + " remove it (ip link del " + name + ") or choose another name with --tunnel-iface");
        }
        int port = config.listenPort() != 0
                ? config.listenPort()
                : config.isRelay() ? AgentConfig.RELAY_PORT : state.port();
        boolean fromState = config.listenPort() == 0 && !config.isRelay() && state.port() != 0;
        try {
            return createBackend(name, state.privateKey(), port);
        } catch (BackendException e) {
            if (!fromState) {
                throw new StartupException(e.getMessage(), e);
            }
            log.warn("the stored port {} is not available ({}); using a new one", port, e.getMessage());
            try {
                return createBackend(name, state.privateKey(), 0);
            } catch (BackendException e2) {
                throw new StartupException(e2.getMessage(), e2);
            }
        }
    }

    private WireGuardBackend createBackend(String name, String privateKey, int port) throws BackendException {
        if (config.isProxy()) {
            if (stackTun != null) {
                stackTun.close(); // a first attempt on the stored port failed
            }
            stackTun = new StackTun(name, config.mtu(), STACK_QUEUE);
            return JavaBackend.userspace(stackTun, privateKey, port);
        }
        if (config.usesWireGuardGo()) {
            return UapiBackend.start(
                    config.wireguardGo(),
                    name,
                    privateKey,
                    port,
                    Duration.ofSeconds(10),
                    config.stateDir().resolve(name + "-wireguard-go.log"));
        }
        return JavaBackend.create(name, privateKey, port, config.mtu());
    }

    private ReflexiveProbe stunProbe() throws StartupException {
        Optional<DatagramPort> shared = wg.sharedSocket();
        if (shared.isPresent()) {
            return stunProbes.create(shared.get());
        }
        try {
            ownStunSocket = new SeparateSocket();
        } catch (IOException e) {
            throw new StartupException("cannot open a UDP socket for STUN: " + e.getMessage(), e);
        }
        log.warn(
                "{} has its own UDP socket, so STUN runs from a separate socket (port {}): the NAT mapping it sees may"
                        + " differ from WireGuard's",
                wg.describe(),
                ownStunSocket.port());
        return stunProbes.create(ownStunSocket);
    }

    private List<InetSocketAddress> resolveStunServers() throws StartupException {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String s : config.stunServers()) {
            try {
                out.add(Addresses.resolveHostPort(s, 3478));
            } catch (IllegalArgumentException e) {
                throw new StartupException("STUN server " + s + ": " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * One WireGuard relay per VPC (as upstream): every agent routes the VPC's CIDRs to it, and allowed IPs cannot be on
     * two peers at once. If another device of the VPC is a WireGuard relay already, we stop being one (our device goes
     * back to relay=false, so peers never see two for longer than this check takes) and refuse to start. Onboarded DERP
     * relays (relay=true with metadata {@code relay.type = derp}) do not count: a VPC may have several of them next to
     * one WireGuard relay.
     */
    private void refuseSecondRelay(NexodusClient asDevice, Device self) throws StartupException {
        Set<UUID> derpRelays = new HashSet<>();
        for (DeviceMetadata m : asDevice.vpcs().metadata(vpc.id(), RelayMetadata.KEY, null)) {
            if (m.value() != null
                    && RelayMetadata.DERP.equals(m.value().path("type").asText(""))) {
                derpRelays.add(m.deviceId());
            }
        }
        for (Device d : asDevice.vpcs().devices(vpc.id(), ListOptions.NONE).items()) {
            if (d.relay() && !d.id().equals(self.id()) && !derpRelays.contains(d.id())) {
                try {
                    asDevice.devices()
                            .update(self.id(), new UpdateDevice(null, null, null, null, null, null, false, null));
                } catch (NexodusClientException e) {
                    log.warn("cannot reset our relay flag: {}", e.getMessage());
                }
                throw new StartupException("the VPC " + vpc.id() + " already has a WireGuard relay: device " + d.id()
                        + " (" + d.hostname() + "); only one WireGuard relay per VPC is supported (delete that device"
                        + " first; several onboarded DERP relays are fine)");
            }
        }
    }

    private Registration.Announcement announcement(NatObservation nat) {
        return new Registration.Announcement(
                wg.publicKey(),
                config.registersAsRelay(),
                config.relayOnly() || nat.symmetricNat(),
                config.hostname(),
                endpoints(nat),
                config.requestIp());
    }

    /**
     * Our endpoints: {@code local} (LAN address + WireGuard port) and {@code stun:<server>} (reflexive); behind a
     * symmetric NAT also the second server's answer as a second {@code stun:<server>}.
     */
    List<Endpoint> endpoints(NatObservation nat) {
        List<Endpoint> out = new ArrayList<>();
        if (localIp != null) {
            out.add(new Endpoint(
                    Endpoint.SOURCE_LOCAL, Addresses.format(new InetSocketAddress(localIp, wg.listenPort()))));
        }
        nat.reflexive().ifPresent(r -> {
            InetSocketAddress announced = r;
            if (ownStunSocket != null && r.getPort() == ownStunSocket.port()) {
                // a port-preserving NAT (or none) kept our STUN socket's port, so it keeps WireGuard's as well
                announced = new InetSocketAddress(r.getAddress(), wg.listenPort());
            }
            out.add(new Endpoint(Endpoint.SOURCE_STUN_PREFIX + nat.stunServer(), Addresses.format(announced)));
        });
        // behind a symmetric NAT the second server saw another mapping: published after the first (readers that take
        // the first stun endpoint are unaffected), so peers can tell a NAT that hands out ports in turn
        nat.secondAnswer()
                .ifPresent(a -> out.add(new Endpoint(
                        Endpoint.SOURCE_STUN_PREFIX + Addresses.format(a.server()),
                        Addresses.format(a.reflexive().orElseThrow()))));
        return out;
    }

    private void checkConflicts(String v4, String v6) throws StartupException {
        LocalAddresses local = new LocalAddresses();
        for (String ip : new String[] {v4, v6}) {
            if (ip == null) {
                continue;
            }
            Optional<InetAddress> a = Addresses.parseIp(ip);
            if (a.isEmpty()) {
                throw new StartupException("the service gave this device an invalid tunnel address: " + ip);
            }
            Optional<LocalAddresses.LocalSubnet> clash = local.conflictFor(a.get(), wg.interfaceName());
            if (clash.isPresent()) {
                throw new StartupException("the tunnel address " + ip + " lies in the local network " + clash.get()
                        + "; using it would cut this host off from that network. Use a VPC whose CIDR does not overlap"
                        + " the host's networks");
            }
        }
    }

    /** This host's networks but the tunnel's, and what it advertises: never routed into the tunnel for a peer. */
    private List<String> ownNetworks(String tunnelInterface) {
        List<String> out = new ArrayList<>(config.router().subnets());
        for (LocalAddresses.LocalSubnet s : new LocalAddresses().subnets(tunnelInterface)) {
            if (!s.address().isLoopbackAddress() && !s.address().isLinkLocalAddress()) {
                Cidrs.normalize(s.address().getHostAddress() + "/" + s.prefixLength())
                        .ifPresent(out::add);
            }
        }
        return out;
    }

    static List<String> vpcCidrs(Vpc vpc) {
        List<String> out = new ArrayList<>();
        Cidrs.normalize(vpc.ipv4Cidr()).ifPresent(out::add);
        Cidrs.normalize(vpc.ipv6Cidr()).ifPresent(out::add);
        return out;
    }

    @FunctionalInterface
    interface Step<T> {
        T run() throws StartupException, InterruptedException;
    }

    private static <T> CompletableFuture<T> async(String name, Step<T> step) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().name(name).start(() -> {
            try {
                f.complete(step.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static <T> T await(CompletableFuture<T> f) throws StartupException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case StartupException se -> throw se;
                case InterruptedException ie -> throw ie;
                case RuntimeException re -> throw re;
                case Error err -> throw err;
                default ->
                    throw new StartupException(String.valueOf(e.getCause().getMessage()), e.getCause());
            }
        }
    }

    /** Runs a start-up step, retrying while the service is unreachable or failing (5xx); refusals end start-up. */
    private <T> T retrying(String what, Step<T> step) throws StartupException, InterruptedException {
        Duration wait = Duration.ofMillis(500);
        while (true) {
            if (closing) {
                throw new StartupException("stopped while trying to " + what);
            }
            try {
                return step.run();
            } catch (NexodusClientException e) {
                String why = e.getMessage();
                log.warn("cannot {}: {}; retrying in {} ms", what, why, wait.toMillis());
                if (OfflinePeerMap.unreachable(e)) {
                    serviceUnreachable.complete(why);
                }
                String line = "cannot " + what + ": " + why + " (retrying)";
                AgentStatus off = offlineStatus;
                status = off != null
                        ? AgentStatus.of(off.state(), off.message() + "\n" + line)
                        : AgentStatus.of(AgentStatus.STARTING, line);
            }
            Thread.sleep(wait);
            wait = wait.multipliedBy(2).compareTo(START_RETRY_MAX) > 0 ? START_RETRY_MAX : wait.multipliedBy(2);
        }
    }

    // ================================================================================================= running

    /**
     * Registers this device again after the service refused its token (on a thread of the session's, while the loop
     * keeps the tunnels running): with the original credentials, asking for the same tunnel address.
     */
    private Registration.Joined registerAgain(Device oldSelf, NatObservation nat)
            throws StartupException, InterruptedException {
        if (offlineStatus != null) {
            return rejoinAfterOffline(oldSelf, nat);
        }
        String oldV4 = Registration.firstAddress(oldSelf.ipv4TunnelIps());
        Registration registration = new Registration(config);
        Registration.Target target = retrying("find the VPC", () -> registration.target(login));
        Registration.Announcement me = new Registration.Announcement(
                wg.publicKey(),
                config.registersAsRelay(),
                config.relayOnly() || nat.symmetricNat(),
                config.hostname(),
                endpoints(nat),
                oldV4 != null ? Optional.of(oldV4) : config.requestIp());
        Registration.Joined joined = retrying(
                "register this device again",
                () -> registration.join(login, target, me, loadState().privateKey()));
        if (config.registersAsRelay()) {
            retrying(
                    "publish the relay metadata",
                    () -> joined.asDevice()
                            .devices()
                            .putMetadata(joined.device().id(), "relay", publishedRelayMetadata));
        }
        return joined;
    }

    /** After registering again: the service may have given other tunnel addresses (runs on the loop's thread). */
    private void moveTunnelAddresses(Device from, Device to) {
        String oldV4 = Registration.firstAddress(from.ipv4TunnelIps());
        String oldV6 = Registration.firstAddress(from.ipv6TunnelIps());
        String v4 = Registration.firstAddress(to.ipv4TunnelIps());
        String v6 = Registration.firstAddress(to.ipv6TunnelIps());
        if (!Objects.equals(v4, oldV4) || !Objects.equals(v6, oldV6)) {
            log.warn("registered again with other tunnel addresses {} {} (were {} {})", v4, v6, oldV4, oldV6);
            try {
                tunnel.configure(v4, v6, vpcCidrs(vpc));
                tunnel.removeAddresses(oldV4, oldV6, v4, v6);
            } catch (NetConfigException e) {
                log.error("cannot move {} to the new tunnel addresses: {}", wg.interfaceName(), e.getMessage());
            }
        }
    }

    /** The DERP node key: the WireGuard private key (both are X25519; the relay routes by the WireGuard public key). */
    private NodePrivateKey derpNodeKey() throws StartupException {
        return NodePrivateKey.fromBase64(loadState().privateKey());
    }

    // ================================================================================================= exit node

    /**
     * What bypasses an exit node from the start: the service's addresses (API and watch stream are not WireGuard's),
     * the STUN servers (wireguard-go's STUN socket is not marked), and a name server on a local network (reachable
     * only from here; a public one is asked through the exit node, as the rest of the internet).
     */
    private List<InetAddress> exitBypass(List<InetSocketAddress> stunServers) {
        List<InetAddress> out = new ArrayList<>();
        try {
            out.addAll(List.of(InetAddress.getAllByName(config.serviceUrl().getHost())));
        } catch (UnknownHostException e) {
            log.warn(
                    "cannot resolve the service {} for the exit node's bypass: {}",
                    config.serviceUrl(),
                    e.getMessage());
        }
        for (InetSocketAddress a : stunServers) {
            if (a.getAddress() != null) {
                out.add(a.getAddress());
            }
        }
        out.addAll(localNameServers(Path.of("/etc/resolv.conf")));
        return out;
    }

    /** The {@code nameserver} addresses of a resolv.conf that are private (RFC 1918) or link-local. */
    static List<InetAddress> localNameServers(Path resolvConf) {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(resolvConf)) {
                String l = line.strip();
                if (l.startsWith("nameserver ") || l.startsWith("nameserver\t")) {
                    String rest = l.substring("nameserver".length()).strip();
                    int end = rest.indexOf(' ');
                    Addresses.parseIp(end < 0 ? rest : rest.substring(0, end))
                            .filter(a -> a.isSiteLocalAddress() || a.isLinkLocalAddress())
                            .ifPresent(out::add);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot read {}: {}", resolvConf, e.toString());
        }
        return out;
    }

    /** The exit node chosen by {@code --exit-node-client} (stored then), else the stored choice. */
    private void startUsingExitNode(Reconciler rec) throws StartupException {
        Optional<String> choice = config.exitNodeClient();
        try {
            if (choice.isPresent()) {
                refuseExitNodeClient();
                String c = choice.get();
                store.update(st -> st.withExitNode(c));
            } else {
                choice = Optional.ofNullable(store.load().exitNode());
            }
            if (choice.isPresent()) {
                if (config.isProxy() || config.router().exitNode() || config.isRelay()) {
                    log.warn("ignoring the stored exit node {}: this nexd cannot use one", choice.get());
                    return;
                }
                log.info("exit node: {}", rec.useExitNode(choice.get()));
            }
        } catch (StateException | BackendException e) {
            throw new StartupException("cannot use the exit node: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    private void refuseExitNodeClient() {
        if (config.isProxy()) {
            throw new IllegalArgumentException("nexd proxy cannot use an exit node: it changes no routes of this host");
        }
        if (config.router().exitNode()) {
            throw new IllegalArgumentException("this device is an exit node itself; it cannot use another");
        }
        if (config.registersAsRelay()) {
            throw new IllegalArgumentException("a relay cannot use an exit node");
        }
    }

    /** {@code nexctl nexd exit-node ...}: requests handled by the loop's thread, the choice stored when it succeeds. */
    private final class ExitNodeControl implements AgentControl.ExitNodes {
        @Override
        public List<PeerInfo> list() {
            Reconciler r = reconciler;
            return r == null ? List.of() : r.exitNodes();
        }

        @Override
        public String use(Optional<String> selector) {
            if (selector.isPresent()) {
                refuseExitNodeClient();
            }
            AgentLoop l = loop;
            if (l == null) {
                throw new IllegalStateException("nexd is not running yet (" + status.state() + ")");
            }
            CompletableFuture<String> reply = new CompletableFuture<>();
            events.post(new AgentEvent.ExitNodeRequest(selector, reply));
            String answer;
            try {
                answer = reply.get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IllegalArgumentException iae) {
                    throw iae;
                }
                throw new IllegalStateException(String.valueOf(e.getCause().getMessage()), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("nexd did not answer within 20 s (is this device deleted?)", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            try {
                store.update(st -> st.withExitNode(selector.orElse(null)));
            } catch (StateException e) {
                return answer + " (not stored, a restart forgets it: " + e.getMessage() + ")";
            }
            return answer;
        }
    }

    // ================================================================================================= for the ctl

    public AgentStatus status() {
        return status;
    }

    /**
     * The WireGuard keys of the VPC's devices (this one included) once the watch delivered its first list; empty
     * before. Any thread.
     */
    public Optional<Set<String>> vpcDeviceKeys() {
        VpcSession s = session;
        if (s == null || !s.devices().isSynced()) {
            return Optional.empty();
        }
        Set<String> keys = new HashSet<>();
        for (Device d : s.devices().items().values()) {
            if (d.publicKey() != null) {
                keys.add(d.publicKey());
            }
        }
        return Optional.of(Set.copyOf(keys));
    }

    /**
     * The VPC's devices (this one included) once the watch delivered its first list; empty before. Any thread.
     */
    public Optional<Collection<Device>> vpcDevices() {
        VpcSession s = session;
        if (s == null || !s.devices().isSynced()) {
            return Optional.empty();
        }
        return Optional.of(List.copyOf(s.devices().items().values()));
    }

    /** Adds lines to {@code nexctl nexd status} (a part run beside the agent, such as its DNS). */
    public void addStatusLines(Supplier<List<String>> lines) {
        extraStatus.add(lines);
    }

    /** The status with the security group's lines (its rules, hits and drops) once the agent runs. */
    private AgentStatus controlStatus() {
        AgentStatus s = status;
        SecurityGroupEnforcer g = securityGroups;
        if (g == null) {
            return s;
        }
        List<String> out = new ArrayList<>();
        if (config.router().isRouter()) {
            out.add(routerStatusLine());
        }
        Reconciler rec = reconciler;
        if (rec != null && !rec.exitStatus().isEmpty()) {
            out.add(rec.exitStatus());
        }
        if (rec != null) {
            out.addAll(rec.derpRelayLines());
        }
        UserspaceProxy p = proxy;
        if (p != null) {
            out.addAll(p.statusLines());
        }
        out.addAll(g.statusLines());
        PeerMapKeeper maps = peerMaps;
        if (maps != null) {
            maps.statusLine().ifPresent(out::add);
        }
        extraStatus.forEach(x -> out.addAll(x.get()));
        String lines = String.join("\n", out);
        return AgentStatus.of(s.state(), s.message().isEmpty() ? lines : s.message() + "\n" + lines);
    }

    /** {@code nexctl nexd status}: what this router advertises (as the service last confirmed) and how it forwards. */
    private String routerStatusLine() {
        AgentLoop l = loop;
        Device d = l != null ? l.device() : registered;
        List<String> confirmed = d == null || d.advertiseCidrs() == null ? List.of() : d.advertiseCidrs();
        return "subnet router: " + config.router().describe()
                + (confirmed.equals(config.router().advertiseCidrs())
                        ? ""
                        : "; the service has " + (confirmed.isEmpty() ? "none" : String.join(", ", confirmed)));
    }

    public String version() {
        return version;
    }

    /** The peers now (empty before the agent runs). */
    public List<PeerView> peers() {
        Reconciler r = reconciler;
        return r == null ? List.of() : r.peers();
    }

    public boolean relayPresent() {
        Reconciler r = reconciler;
        return r != null && r.relayPresent();
    }

    public boolean relayRequired() {
        Reconciler r = reconciler;
        return r != null && r.relayRequired();
    }

    /** This device's tunnel address ({@code v6} false: IPv4), without prefix; empty before registration. */
    public Optional<String> tunnelIp(boolean v6) {
        Device d = device().orElse(null);
        if (d == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(Registration.firstAddress(v6 ? d.ipv6TunnelIps() : d.ipv4TunnelIps()));
    }

    public Optional<Device> device() {
        AgentLoop l = loop;
        return Optional.ofNullable(l != null ? l.device() : registered);
    }

    public Optional<NatObservation> nat() {
        return stun == null ? Optional.empty() : Optional.ofNullable(stun.current());
    }

    public Optional<WireGuardBackend> wireGuard() {
        return Optional.ofNullable(wg);
    }

    /**
     * Proxy mode only ({@code nexd proxy}, and the embedded node of the {@code node} module, which opens its sockets
     * here): the userspace network stack holding this device's tunnel addresses, once registration gave them; empty
     * before and in the other modes. A re-registration with other addresses replaces it (the old one is closed, so its
     * sockets fail and must be opened again on the new one). Any thread, once {@link #status()} says running.
     */
    public Optional<NetStack> userspaceStack() {
        var tun = stackTun;
        return tun == null ? Optional.empty() : Optional.ofNullable(tun.stack());
    }
}
