package io.nexodus.nexd.agent;

import io.nexodus.nexd.derpproxy.WireGuardDerpProxy;
import io.nexodus.nexd.endpoint.Addresses;
import io.nexodus.nexd.endpoint.PortPrediction;
import io.nexodus.nexd.net.ExitRouting;
import io.nexodus.nexd.net.NetConfigException;
import io.nexodus.nexd.net.TunnelLink;
import io.nexodus.nexd.peering.Cidrs;
import io.nexodus.nexd.peering.DerpRelay;
import io.nexodus.nexd.peering.DerpRelayHealth;
import io.nexodus.nexd.peering.PathOption;
import io.nexodus.nexd.peering.PathSample;
import io.nexodus.nexd.peering.PeerInfo;
import io.nexodus.nexd.peering.PeerPath;
import io.nexodus.nexd.peering.PeeringMethod;
import io.nexodus.nexd.peering.PeeringPolicy;
import io.nexodus.nexd.peering.PeeringTimeouts;
import io.nexodus.nexd.peering.PortProbes;
import io.nexodus.nexd.peering.RelaySelector;
import io.nexodus.nexd.peering.RelayView;
import io.nexodus.nexd.peering.SelfInfo;
import io.nexodus.nexd.wg.BackendException;
import io.nexodus.nexd.wg.DatagramPort;
import io.nexodus.nexd.wg.PeerChange;
import io.nexodus.nexd.wg.PeerCounters;
import io.nexodus.nexd.wg.PeerEntry;
import io.nexodus.nexd.wg.WireGuardBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps WireGuard's peers equal to what the VPC and the paths' state machines ask for. Two entry points, both called
 * by the agent's single reconcile thread: {@link #update} with new inputs (a watch event, our NAT changed) and
 * {@link #tick} to sample the data plane and advance every {@link PeerPath}. Each computes the desired entries and
 * applies only the difference, so an endpoint WireGuard learned from a peer's packets (roaming) is never overwritten
 * with the same value, and unchanged peers are not touched.
 * <p>
 * Desired entries: a directly reached peer gets its endpoint and its own addresses (+ advertised networks) as allowed
 * IPs; the WireGuard relay gets the VPC's CIDRs (+ the advertised networks of every relayed peer), so anything
 * without a more specific entry goes through it; a relayed peer gets no entry, or a shadow entry without allowed IPs
 * while its direct method is being probed. A peer reached through a DERP relay gets its own entry whose endpoint is
 * its loopback address at the {@link WireGuardDerpProxy}; the reconciler tells the proxy which relay to send through
 * (re-selected on every update and tick, since an onboarded DERP relay's health changes without a watch event).
 */
public final class Reconciler {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    /** What a {@link #tick} found that the agent should act on. */
    public record TickResult(boolean stallSuspected, boolean pathFailed) {}

    private record Peer(PeerInfo info, PeerPath path) {}

    private final WireGuardBackend wg;
    private final TunnelLink tunnel;
    private final WireGuardDerpProxy derpProxy;
    private final PeeringPolicy policy;
    private final DerpRelayHealth derpHealth = new DerpRelayHealth();
    private volatile List<DerpRelayHealth.Status> relayStatus = List.of();
    private volatile Map<String, String> derpNames = Map.of();
    private volatile Optional<DerpRelay> publicDerp = Optional.empty();
    private Collection<PeerInfo> lastDevices = List.of();
    private final PeeringTimeouts timeouts;
    private final Clock clock;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final Map<String, PeerEntry> applied = new HashMap<>();
    private SelfInfo self;
    private volatile RelayView relays = RelayView.NONE;
    private boolean relayPathHealthy;
    private volatile List<PeerView> snapshot = List.of();
    private volatile boolean relayRequired;
    private Set<String> lastRoutes = Set.of();
    private Set<String> skippedRoutes = Set.of();
    private Supplier<List<String>> ownNetworks = List::of;
    private final PortProbes portProbes;
    /** Peers told once that this backend cannot probe for them. */
    private final Set<String> cannotProbe = new HashSet<>();
    /** The prediction last logged per peer, so a probe sweep every second is not a log line. */
    private final Map<String, PortPrediction> probeLogged = new HashMap<>();

    /** A port-prediction probe: one byte, no WireGuard message (the peer's WireGuard drops it). */
    private static final byte[] PROBE = {0};

    /** Using an exit node; null when this reconciler changes no routes (tests, {@code nexd proxy}). */
    private volatile ExitNodeClient exit;

    /** {@code tunnel} may be null (tests without a kernel interface): then routes are not managed. */
    public Reconciler(WireGuardBackend wg, TunnelLink tunnel, PeeringTimeouts timeouts, Clock clock) {
        this(wg, tunnel, timeouts, clock, null);
    }

    /** {@code derpProxy} may be null: then no DERP relay is ever offered. */
    public Reconciler(
            WireGuardBackend wg,
            TunnelLink tunnel,
            PeeringTimeouts timeouts,
            Clock clock,
            WireGuardDerpProxy derpProxy) {
        this.wg = wg;
        this.tunnel = tunnel;
        this.derpProxy = derpProxy;
        this.policy = derpProxy == null ? new PeeringPolicy() : new PeeringPolicy(derpProxy);
        this.timeouts = timeouts;
        this.clock = clock;
        this.portProbes = new PortProbes(PortProbes.DEFAULT_LIMITS);
    }

    /** New inputs: ourselves and every other device of the VPC. */
    public synchronized void update(SelfInfo newSelf, Collection<PeerInfo> devices) throws BackendException {
        this.self = newSelf;
        this.lastDevices = List.copyOf(devices);
        if (exit != null) {
            exit.replan(newSelf.publicKey(), lastDevices);
        }
        Instant now = clock.instant();
        relays = selectRelays(devices, now, false);
        Map<String, PeerInfo> byKey = new LinkedHashMap<>();
        for (PeerInfo p : devices) {
            // an onboarded DERP relay is a device of the VPC but runs no WireGuard: never a peer
            if (p.publicKey() != null && !p.publicKey().equals(newSelf.publicKey()) && !p.isDerpRelay()) {
                byKey.put(p.publicKey(), p);
            }
        }
        if (derpProxy != null) {
            derpProxy.retainPeers(byKey.keySet());
        }
        portProbes.retain(byKey.keySet());
        cannotProbe.retainAll(byKey.keySet());
        probeLogged.keySet().retainAll(byKey.keySet());
        for (String gone : List.copyOf(peers.keySet())) {
            if (!byKey.containsKey(gone)) {
                Peer p = peers.remove(gone);
                log.info("peer {} ({}) left the VPC", p.info().hostname(), shortKey(gone));
            }
        }
        boolean required = false;
        for (PeerInfo info : byKey.values()) {
            Peer p = peers.get(info.publicKey());
            if (p == null) {
                String name = info.hostname() + " (" + shortKey(info.publicKey()) + ")";
                p = new Peer(info, new PeerPath(timeouts, msg -> log.info("peer {}: {}", name, msg)));
                log.info("peer {} ({}) joined: {}", info.hostname(), shortKey(info.publicKey()), info.tunnelIps());
            } else {
                p = new Peer(info, p.path());
            }
            peers.put(info.publicKey(), p);
            List<PathOption> options = policy.options(newSelf, info, relays);
            p.path().offer(options, now);
            required |= policy.needsRelay(newSelf, info);
        }
        relayRequired = required;
        Set<String> created = sync(Set.of(), now);
        for (String key : created) {
            Peer p = peers.get(key);
            if (p != null) {
                p.path().takeKick(); // a new entry starts with a fresh session already
            }
        }
    }

    /**
     * This host's own networks (its interfaces' subnets but the tunnel's, and what it advertises itself), asked whenever
     * the peers' advertised networks change: a peer's advertised network that overlaps one of them is not routed into
     * the tunnel, since that would cut this host off from its own LAN (a host on a router's LAN reaches that LAN
     * directly). WireGuard's allowed IPs keep it, so a router's packets from those addresses are still accepted.
     */
    public synchronized void avoidRoutingOver(Supplier<List<String>> networks) {
        this.ownNetworks = networks;
        this.lastRoutes = Set.of(); // recompute at the next sync
    }

    /** The service's public DERP relay (from {@code /api/relays}); takes effect at the next update or tick. */
    public void setPublicDerp(Optional<DerpRelay> relay) {
        this.publicDerp = relay;
    }

    /**
     * Picks the relays and points the proxy at the DERP relay (keeping connections to every known DERP relay). With
     * {@code probe} (every tick) each onboarded relay's connection is sampled and pinged first: health and latency come
     * from the pongs ({@link DerpRelayHealth}).
     */
    private RelayView selectRelays(Collection<PeerInfo> devices, Instant now, boolean probe) {
        String selfKey = self.publicKey();
        List<DerpRelay> onboarded = RelaySelector.onboardedRelays(devices);
        Set<DerpRelay> known = new LinkedHashSet<>();
        publicDerp.ifPresent(known::add);
        known.addAll(onboarded);
        if (derpProxy == null) {
            return RelaySelector.select(devices, selfKey, publicDerp, l -> Optional.empty());
        }
        derpHealth.retain(onboarded.stream().map(DerpRelay::id).collect(Collectors.toSet()));
        if (probe) {
            for (DerpRelay r : onboarded) {
                WireGuardDerpProxy.Probe p = derpProxy.probe(r.id());
                derpHealth.observe(r.id(), p.connected(), p.pongs(), p.lastRtt(), now);
            }
        }
        RelayView view = RelaySelector.select(devices, selfKey, publicDerp, l -> derpHealth.choose(l, now));
        derpProxy.use(view.derp(), known);
        relayStatus = derpHealth.status(onboarded, now);
        Map<String, String> names = new HashMap<>();
        known.forEach(r -> names.put(r.id(), r.name()));
        derpNames = Map.copyOf(names);
        return view;
    }

    /**
     * {@code nexctl nexd status}: the DERP relay this agent sends through and each onboarded relay's health and
     * latency (nothing without a DERP relay). Safe from any thread.
     */
    public List<String> derpRelayLines() {
        Optional<DerpRelay> using = relays.derp();
        List<DerpRelayHealth.Status> onboarded = relayStatus;
        if (using.isEmpty() && onboarded.isEmpty()) {
            return List.of();
        }
        Map<String, String> names = derpNames;
        List<String> out = new ArrayList<>();
        out.add("DERP relay in use: " + using.map(DerpRelay::name).orElse("none")
                + (using.map(r -> r.kind() == DerpRelay.Kind.PUBLIC).orElse(false) && !onboarded.isEmpty()
                        ? " (no onboarded relay is healthy)"
                        : ""));
        for (DerpRelayHealth.Status st : onboarded) {
            out.add("  onboarded DERP relay " + names.getOrDefault(st.relayId(), st.relayId()) + ": "
                    + (st.healthy() ? "healthy" : st.connected() ? "not answering" : "not connected")
                    + st.latency()
                            .map(d -> String.format(Locale.ROOT, ", latency %.1f ms", d.toNanos() / 1e6))
                            .orElse("")
                    + (st.chosen() ? ", in use" : ""));
        }
        return out;
    }

    /**
     * Makes every entry with an endpoint send a keepalive now. After our own NAT mapping changed, the peers' NATs
     * only let the peers' packets through to our new mapping once we have sent to them from it.
     */
    public synchronized void nudgeAll() throws BackendException {
        List<PeerChange> changes = new ArrayList<>();
        for (PeerEntry e : applied.values()) {
            if (e.endpoint().isPresent() && e.persistentKeepaliveSeconds() > 0) {
                changes.add(new PeerChange.Upsert(e, false, false, true));
            }
        }
        if (!changes.isEmpty()) {
            wg.apply(changes);
        }
    }

    /** Samples counters, advances the state machines, applies what changed. */
    public synchronized TickResult tick() throws BackendException {
        if (self == null) {
            return new TickResult(false, false);
        }
        Instant now = clock.instant();
        if (derpProxy != null) {
            RelayView before = relays;
            RelayView after = selectRelays(lastDevices, now, true);
            if (!after.derp().equals(before.derp())) {
                log.info(
                        "DERP relay: {} -> {}",
                        before.derp().map(DerpRelay::id).orElse("none"),
                        after.derp().map(DerpRelay::id).orElse("none"));
                update(self, lastDevices);
            }
        }
        Map<String, PeerCounters> counters = wg.peers();
        Set<String> kicks = new HashSet<>();
        boolean stall = false;
        boolean failed = false;
        // the relay first: relayed peers ride on its health
        String relayKey = relays.wireguardRelay().map(PeerInfo::publicKey).orElse(null);
        List<Peer> order = new ArrayList<>(peers.values());
        order.sort(Comparator.comparing(p -> !p.info().publicKey().equals(relayKey)));
        for (Peer p : order) {
            String key = p.info().publicKey();
            PeerCounters c = counters.get(key);
            String before = p.path().active().map(PathOption::toString).orElse("");
            boolean relayed = p.path()
                    .active()
                    .map(o -> o.method() == PeeringMethod.VIA_RELAY)
                    .orElse(false);
            long fromDerp = derpProxy == null ? 0 : derpProxy.packetsFrom(key);
            PathSample sample = relayed
                    ? PathSample.relayed(relayPathHealthy, c == null ? null : c.lastHandshake(), fromDerp)
                    : new PathSample(
                            c == null ? null : c.lastHandshake(),
                            c == null ? 0 : c.rxBytes(),
                            c == null ? 0 : c.txBytes(),
                            relayPathHealthy,
                            null,
                            fromDerp);
            if (c != null && !c.endpoint().isEmpty()) {
                // where WireGuard sends now: configured, or learned from the peer's packets (peer-reflexive)
                sample = sample.withEndpoint(
                        Addresses.parseEndpoint(c.endpoint()).orElse(null));
            }
            p.path().observe(sample, now);
            if (key.equals(relayKey)) {
                relayPathHealthy = p.path().healthy(now);
            }
            if (p.path().takeKick()) {
                kicks.add(key);
            }
            stall |= p.path().takeStallSuspicion();
            String after = p.path().active().map(PathOption::toString).orElse("");
            failed |= !before.equals(after);
        }
        sendProbes(now);
        sync(kicks, now);
        return new TickResult(stall, failed);
    }

    /** Applies the difference; returns the keys whose entries were created. */
    private Set<String> sync(Set<String> kicks, Instant now) throws BackendException {
        Map<String, PeerEntry> desired = desiredEntries();
        List<PeerChange> changes = new ArrayList<>();
        Set<String> created = new HashSet<>();
        for (PeerEntry e : desired.values()) {
            PeerEntry old = applied.get(e.publicKey());
            boolean kick = kicks.contains(e.publicKey()) && e.endpoint().isPresent();
            if (old == null) {
                created.add(e.publicKey());
                changes.add(new PeerChange.Upsert(e, true, false));
            } else if (kick) {
                changes.add(new PeerChange.Upsert(e, true, true));
            } else if (!old.equals(e)) {
                boolean moved = !old.endpoint().equals(e.endpoint());
                changes.add(new PeerChange.Upsert(
                        e, moved, false, moved && e.endpoint().isPresent()));
            }
        }
        for (String key : applied.keySet()) {
            if (!desired.containsKey(key)) {
                changes.add(new PeerChange.Remove(key));
            }
        }
        if (!changes.isEmpty()) {
            for (PeerChange c : changes) {
                if (c instanceof PeerChange.Upsert u && !u.recreate()) {
                    log.debug("wireguard: set {}", u.entry());
                } else if (c instanceof PeerChange.Remove r) {
                    log.debug("wireguard: remove {}", shortKey(r.publicKey()));
                }
            }
            wg.apply(changes);
            applied.clear();
            applied.putAll(desired);
        }
        syncRoutes();
        syncExit(now);
        snapshot = buildSnapshot(now);
        return created;
    }

    /** The chosen exit node's entry carries the default route (never a relayed peer's: the relay cannot carry it). */
    private boolean isExitNode(PeerInfo info) {
        return exit != null && exit.carriesDefault(info);
    }

    // ================================================================================================= exit node

    /**
     * Lets this reconciler route the host's traffic through an exit node: {@code routing} sets the policy routing,
     * {@code fixedBypass} are the addresses nexd reaches outside WireGuard (service, STUN servers). Without this call
     * (tests, {@code nexd proxy}) using an exit node is refused.
     */
    public synchronized void routeExitTraffic(ExitRouting routing, Collection<InetAddress> fixedBypass) {
        this.exit = new ExitNodeClient(wg, routing, fixedBypass);
    }

    /** More addresses reached outside WireGuard (a DERP relay); they bypass the exit node from the next sync on. */
    public synchronized void bypassExitNode(Collection<InetAddress> addresses) {
        if (exit != null) {
            exit.bypass(addresses);
            if (self != null) {
                exit.replan(self.publicKey(), lastDevices);
            }
        }
    }

    /**
     * Starts using the exit node {@code selector} (a device's host name, id, public key or tunnel address; {@code ""}:
     * the VPC's only one). Refused (IllegalArgumentException, for the user) when the VPC's devices are known and none
     * fits; once in use, the exit node going away or going silent does not undo the routing: see {@link #exitStatus}.
     * Returns a line for the user.
     */
    public synchronized String useExitNode(String selector) throws BackendException {
        if (exit == null) {
            throw new IllegalArgumentException(
                    "this nexd cannot use an exit node (nexd proxy has no routes to change)");
        }
        String line = exit.choose(selector, self == null ? null : self.publicKey(), lastDevices);
        if (self != null) {
            sync(Set.of(), clock.instant());
        }
        return line;
    }

    /** Stops using an exit node: the routing is removed exactly and WireGuard's mark cleared. */
    public synchronized String stopUsingExitNode() throws BackendException {
        if (exit == null) {
            return "no exit node was in use";
        }
        boolean was = exit.stop();
        if (self != null) {
            sync(Set.of(), clock.instant()); // the entry loses 0.0.0.0/0, then the routing goes
        } else {
            exit.sync(null, clock.instant());
        }
        return was ? "exit node disabled; routing restored" : "no exit node was in use";
    }

    /** The devices of the VPC that offer themselves as exit nodes. */
    public synchronized List<PeerInfo> exitNodes() {
        String selfKey = self == null ? null : self.publicKey();
        return lastDevices.stream()
                .filter(p -> p.exitNode() && !p.publicKey().equals(selfKey))
                .toList();
    }

    /** A status line about the exit node in use; empty when none is. Safe from any thread. */
    public String exitStatus() {
        ExitNodeClient e = exit;
        return e == null ? "" : e.status();
    }

    /** Removes the exit routing (nexd stops; the interface goes next); the choice itself stays stored. */
    public synchronized void closeExitRouting() {
        if (exit != null) {
            exit.close();
        }
    }

    private void syncExit(Instant now) {
        if (exit != null) {
            exit.sync(
                    new ExitNodeClient.Paths() {
                        @Override
                        public Optional<PathOption> active(String key) {
                            Peer p = peers.get(key);
                            return p == null ? Optional.empty() : p.path().active();
                        }

                        @Override
                        public boolean healthy(String key, Instant at) {
                            Peer p = peers.get(key);
                            return p != null && p.path().healthy(at);
                        }
                    },
                    now);
        }
    }

    private Map<String, PeerEntry> desiredEntries() {
        int keepalive = (int) timeouts.keepalive().toSeconds();
        Map<String, PeerEntry> desired = new LinkedHashMap<>();
        Set<String> relayExtra = new LinkedHashSet<>();
        String relayEntryKey = null;
        for (Peer p : peers.values()) {
            PathOption active = p.path().active().orElse(null);
            if (active == null) {
                continue;
            }
            PeerInfo info = p.info();
            PeeringMethod m = active.method();
            if (m == PeeringMethod.VIA_RELAY) {
                relayExtra.addAll(info.routedCidrs());
                p.path()
                        .shadow()
                        .ifPresent(s -> desired.put(
                                info.publicKey(), new PeerEntry(info.publicKey(), s.endpoint(), List.of(), keepalive)));
            } else if (m.peerIsRelay()) {
                relayEntryKey = info.publicKey();
                Set<String> allowed = new LinkedHashSet<>(self.vpcCidrs());
                allowed.addAll(info.routedCidrs());
                if (isExitNode(info)) {
                    allowed.add(PeerInfo.EXIT_ROUTE); // the relay is the exit node itself
                }
                desired.put(
                        info.publicKey(),
                        new PeerEntry(info.publicKey(), active.endpoint(), List.copyOf(allowed), keepalive));
            } else {
                Set<String> allowed = new LinkedHashSet<>(info.allowedIps());
                allowed.addAll(info.routedCidrs());
                if (isExitNode(info)) {
                    allowed.add(PeerInfo.EXIT_ROUTE);
                }
                desired.put(
                        info.publicKey(),
                        new PeerEntry(info.publicKey(), active.endpoint(), List.copyOf(allowed), keepalive));
            }
        }
        if (relayEntryKey != null && !relayExtra.isEmpty()) {
            PeerEntry r = desired.get(relayEntryKey);
            Set<String> allowed = new LinkedHashSet<>(r.allowedIps());
            allowed.addAll(relayExtra);
            desired.put(relayEntryKey, new PeerEntry(r.publicKey(), r.endpoint(), List.copyOf(allowed), keepalive));
        }
        return desired;
    }

    private void syncRoutes() {
        if (tunnel == null) {
            return;
        }
        Set<String> want = new LinkedHashSet<>(self.vpcCidrs());
        for (Peer p : peers.values()) {
            want.addAll(p.info().routedCidrs());
        }
        if (want.equals(lastRoutes)) {
            return;
        }
        Set<String> routed = routable(want);
        try {
            tunnel.syncRoutes(routed);
            lastRoutes = Set.copyOf(want);
        } catch (NetConfigException e) {
            log.warn("cannot route {} via {}: {}", routed, tunnel.name(), e.getMessage());
        }
    }

    /** {@code want} without the peers' advertised networks that overlap this host's own (see {@link #avoidRoutingOver}). */
    private Set<String> routable(Set<String> want) {
        List<String> own = ownNetworks.get();
        Set<String> out = new LinkedHashSet<>();
        Set<String> skipped = new LinkedHashSet<>();
        for (String c : want) {
            String clash = self.vpcCidrs().contains(c)
                    ? null
                    : own.stream().filter(o -> Cidrs.overlaps(c, o)).findFirst().orElse(null);
            if (clash == null) {
                out.add(c);
            } else {
                skipped.add(c);
                if (!skippedRoutes.contains(c)) {
                    log.warn(
                            "not routing the advertised network {} via {}: it overlaps this host's network {}",
                            c,
                            tunnel.name(),
                            clash);
                }
            }
        }
        skippedRoutes = Set.copyOf(skipped);
        return out;
    }

    /** Advertised networks of peers that are not routed because they overlap this host's own (for tests, status). */
    public synchronized Set<String> skippedRoutes() {
        return skippedRoutes;
    }

    private List<PeerView> buildSnapshot(Instant now) {
        Map<String, PeerCounters> counters;
        try {
            counters = wg.peers();
        } catch (BackendException e) {
            counters = Map.of();
        }
        List<PeerView> out = new ArrayList<>();
        for (Peer p : peers.values()) {
            PeerInfo info = p.info();
            PathOption active = p.path().active().orElse(null);
            PeeringMethod m = active == null ? null : active.method();
            boolean relayed = m == PeeringMethod.VIA_RELAY;
            String relayKind = relayed
                    ? PeerView.WIREGUARD_RELAY
                    : m == PeeringMethod.VIA_DERP_RELAY
                            ? active.via()
                                    .filter(v -> v.startsWith("onboarded:"))
                                    .map(v -> PeerView.ONBOARDED_DERP)
                                    .orElse(PeerView.PUBLIC_DERP)
                            : null;
            PeerCounters c = relayed ? null : counters.get(info.publicKey());
            String endpoint = relayed
                    ? ""
                    : c != null && !c.endpoint().isEmpty()
                            ? c.endpoint()
                            : active == null
                                    ? ""
                                    : active.endpoint().map(Addresses::format).orElse("");
            out.add(new PeerView(
                    info.publicKey(),
                    info.deviceId(),
                    info.hostname(),
                    info.tunnelIps(),
                    m,
                    relayKind,
                    endpoint,
                    c == null
                            ? (relayed
                                    ? List.of()
                                    : applied.containsKey(info.publicKey())
                                            ? applied.get(info.publicKey()).allowedIps()
                                            : List.of())
                            : c.allowedIps(),
                    c == null ? null : c.lastHandshake(),
                    c == null ? 0 : c.rxBytes(),
                    c == null ? 0 : c.txBytes(),
                    p.path().healthy(now),
                    p.path().state(now),
                    p.path().reason(),
                    p.path().options().stream().map(o -> o.method().wireName()).toList(),
                    relayName(active),
                    pathNote(p, m)));
        }
        out.sort(Comparator.comparing(PeerView::hostname).thenComparing(PeerView::publicKey));
        return List.copyOf(out);
    }

    /**
     * What port prediction did for the path (it shares the peer-reflexive method, so the method alone does not say
     * it): on the predictable side that it sends by prediction; on the probing side the probes, while it waits and
     * after the peer's mapping came. Null when prediction plays no part.
     */
    private String pathNote(Peer p, PeeringMethod m) {
        if (m == PeeringMethod.PEER_REFLEXIVE && PeeringPolicy.sendsByPortPrediction(self, p.info())) {
            return "port prediction: our NAT hands out its ports in turn; the peer opens its NAT for our next ones";
        }
        String key = p.info().publicKey();
        // the probes while they go on; afterwards only on the path they were for
        return portProbes.probing(key) || m == PeeringMethod.PEER_REFLEXIVE
                ? portProbes.describe(key).orElse(null)
                : null;
    }

    /**
     * Sends the port-prediction probes that are due (see {@link PortProbes}) from the WireGuard port. Not possible
     * with a WireGuard that owns its socket (wireguard-go): said once per peer, and the peer falls back to a relay.
     */
    private void sendProbes(Instant now) {
        Optional<DatagramPort> socket = wg.sharedSocket().filter(DatagramPort::isWireGuardSocket);
        for (Peer p : peers.values()) {
            String key = p.info().publicKey();
            boolean wanted = p.info().portPrediction().isPresent() && p.path().awaitingPeer();
            if (socket.isEmpty()) {
                if (wanted && cannotProbe.add(key)) {
                    log.info(
                            "peer {} ({}): its NAT hands out ports in turn, but {} cannot send probes from its"
                                    + " port; the peer stays on a relay",
                            p.info().hostname(),
                            shortKey(key),
                            wg.describe());
                }
                continue;
            }
            List<InetSocketAddress> due = portProbes.due(key, p.info().portPrediction(), wanted, now);
            if (due.isEmpty()) {
                continue;
            }
            PortPrediction prediction = p.info().portPrediction().get();
            if (!prediction.equals(probeLogged.put(key, prediction))) {
                log.info(
                        "peer {} ({}): its NAT hands out ports in turn; probing {} from the WireGuard port so that"
                                + " our NAT lets its handshake in",
                        p.info().hostname(),
                        shortKey(key),
                        prediction.describe(due.size()));
            }
            for (InetSocketAddress to : due) {
                try {
                    socket.get().send(ByteBuffer.wrap(PROBE), to);
                } catch (IOException e) {
                    log.debug("probe to {} not sent: {}", to, e.getMessage());
                }
            }
        }
    }

    /** Which relay carries a relayed path: the WireGuard relay's hostname, the DERP relay's name; else null. */
    private String relayName(PathOption active) {
        if (active == null || active.via().isEmpty()) {
            return null;
        }
        String via = active.via().get();
        if (active.method() == PeeringMethod.VIA_RELAY) {
            return relays.wireguardRelay()
                    .filter(r -> r.publicKey().equals(via))
                    .map(PeerInfo::hostname)
                    .orElse(shortKey(via));
        }
        return active.method() == PeeringMethod.VIA_DERP_RELAY ? derpNames.getOrDefault(via, via) : null;
    }

    /** The peers as of the last update or tick. Safe from any thread. */
    public List<PeerView> peers() {
        return snapshot;
    }

    /** A relay is known (the WireGuard relay of the VPC, or a DERP relay). */
    public boolean relayPresent() {
        return relays.anyRelay();
    }

    /** Some peer can only be reached through a relay. */
    public boolean relayRequired() {
        return relayRequired;
    }

    static String shortKey(String key) {
        return key == null ? "?" : key.substring(0, Math.min(8, key.length()));
    }
}
