package io.nexodus.nexd.agent;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.watch.Informer;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.nexd.endpoint.NatObservation;
import io.nexodus.nexd.peering.PeerInfo;
import io.nexodus.nexd.peering.SelfInfo;
import io.nexodus.nexd.wg.BackendException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent's one owner thread. Every input is an {@link AgentEvent} on one bounded queue; the loop drains it
 * in batches, applies each event to the state it alone owns ({@code self}, the device client, {@link SelfInfo}, the
 * deleted and re-registering states), then reconciles the peers if anything they depend on changed and samples the
 * data plane ({@link Reconciler#tick()}), offering the result to the connectivity {@link Reporter}. When the queue stays empty for the tick interval the loop ticks by itself.
 * <p>
 * The data plane never waits for the service: the loop itself makes no service calls. Registering again and publishing
 * endpoints run elsewhere ({@link Session#reattach}, {@link Publisher}) and come back as events.
 */
final class AgentLoop {
    private static final Logger log = LoggerFactory.getLogger(AgentLoop.class);

    /** The VPC session as the loop sees it: the watched devices and the watch stream. */
    interface Session {
        /** The VPC's devices; also tells whether the first list arrived. */
        Informer<Device> devices();

        /** The relay metadata of the VPC's devices ({@code <device id>/relay}). */
        Informer<DeviceMetadata> relayMetadata();

        /** The VPC's security groups; no peer is configured before their first list arrived. */
        Informer<SecurityGroup> securityGroups();

        /** (Re)opens the watch stream as {@code asDevice}; the informers keep their revisions, so it resumes. */
        void openWatch(NexodusClient asDevice);

        /** The next {@link #openWatch} lists everything again instead of resuming (see {@code Informer.relist}). */
        void relist();

        void closeWatch();

        /**
         * Registers this device again without blocking the caller; posts {@link AgentEvent.Reattached} or
         * {@link AgentEvent.ReattachFailed} when done.
         */
        void reattach(Device oldSelf, NatObservation nat);
    }

    /** Tells the service our endpoints, retrying until it accepts them; posts {@link AgentEvent.EndpointsPublished}. */
    interface Publisher {
        void publish(NexodusClient asDevice, UUID deviceId, List<Endpoint> endpoints, boolean symmetricNat);
    }

    /**
     * Tells the service how this device reaches its peers, deciding itself whether a report is due; never waits for
     * the service ({@link ConnectivityReporter}).
     */
    interface Reporter {
        void offer(NexodusClient asDevice, UUID deviceId, String natType, List<PeerView> peers);
    }

    /**
     * Keeps the service's signed peer map of this device ({@link PeerMapKeeper}); {@code version} changes whenever
     * what the map holds may have changed.
     */
    interface MapKeeper {
        void offer(NexodusClient asDevice, UUID deviceId, long version);

        /** This device was deleted: a restart must not come back from its stored map. */
        void forget();
    }

    /** Moves the tunnel interface to the addresses of a device registered again. */
    interface TunnelAddresses {
        void move(Device from, Device to);
    }

    /** What the loop needs to know about this agent that never changes while it runs. */
    record Setup(
            String role,
            boolean relayOnly,
            Duration tickInterval,
            Function<NatObservation, List<Endpoint>> endpoints,
            Consumer<String> stunRecheck,
            Consumer<AgentStatus> status,
            TunnelAddresses tunnelAddresses) {}

    private final AgentEvents events;
    private final Setup setup;
    private final Session session;
    private final Publisher publisher;
    private final Reporter reporter;
    private final Reconciler reconciler;
    private final SecurityGroupEnforcer securityGroups;
    private final Vpc vpc;

    // owned by the loop thread (or the caller of handle() in tests)
    private Device self;
    private NexodusClient asDevice;
    private SelfInfo selfInfo;
    private NatObservation nat;
    private boolean deleted;
    private boolean reattaching;
    /** Endpoints handed to the publisher that the service has not accepted yet. */
    private boolean unpublished;
    /** STUN saw a change while registering again: the new registration may announce old endpoints. */
    private boolean natChangedWhileReattaching;

    /** Started from the stored peer map while the service was unreachable, and not registered since. */
    private boolean offline;

    private MapKeeper mapKeeper = new MapKeeper() {
        @Override
        public void offer(NexodusClient asDevice, UUID deviceId, long version) {}

        @Override
        public void forget() {}
    };

    private boolean selfChanged = true;
    private long seenDevices = -1;
    private long seenMetadata = -1;

    /** What {@link #device()} shows other threads (the control socket); written only by the loop. */
    private volatile Device published;

    private Thread thread;

    AgentLoop(
            AgentEvents events,
            Setup setup,
            Session session,
            Publisher publisher,
            Reporter reporter,
            Reconciler reconciler,
            SecurityGroupEnforcer securityGroups,
            Vpc vpc,
            Registration.Joined joined,
            SelfInfo selfInfo,
            NatObservation nat) {
        this.events = events;
        this.setup = setup;
        this.session = session;
        this.publisher = publisher;
        this.reporter = reporter;
        this.reconciler = reconciler;
        this.securityGroups = securityGroups;
        this.vpc = vpc;
        this.self = joined.device();
        this.asDevice = joined.asDevice();
        this.selfInfo = selfInfo;
        this.nat = nat;
        this.published = self;
    }

    /** Keeps the signed peer map with {@code keeper} while registered (call before {@link #start()}). */
    void keepPeerMaps(MapKeeper keeper) {
        this.mapKeeper = keeper;
    }

    /**
     * The agent started from the stored peer map (the session's informers hold it) while the service is unreachable:
     * nothing goes to the service until {@link AgentEvent.Reattached} says this device is registered again (the session
     * registers it in the background as soon as the service answers). Call before {@link #start()}.
     */
    void startOffline() {
        offline = true;
        reattaching = true;
    }

    void start() {
        thread = Thread.ofPlatform().name("nexd-reconcile").daemon(true).start(this::run);
    }

    void close() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** This device as last registered or updated. */
    Device device() {
        return published;
    }

    private void run() {
        List<AgentEvent> batch = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(events.next(setup.tickInterval()));
                events.drainTo(batch);
                handle(batch);
            } catch (InterruptedException e) {
                return;
            } catch (BackendException | RuntimeException e) {
                log.warn("reconcile failed: {}", e.toString());
                try {
                    Thread.sleep(setup.tickInterval());
                } catch (InterruptedException ie) {
                    return;
                }
            } finally {
                batch.clear();
            }
        }
    }

    /** Applies a batch of events, then reconciles and samples the data plane once. Runs on the loop thread only. */
    void handle(List<AgentEvent> batch) throws BackendException {
        for (AgentEvent e : batch) {
            if (deleted) {
                return;
            }
            apply(e);
        }
        if (deleted
                || !session.devices().isSynced()
                || !session.securityGroups().isSynced()) {
            return; // peers only once this device's security group is known, so no packet passes before it is in force
        }
        // the device as the watch last delivered it: an administrator may have moved it to another group
        securityGroups.update(session.devices().get(self.id().toString()).orElse(self), session.securityGroups());
        long dv = session.devices().version();
        long mv = session.relayMetadata().version();
        if (dv != seenDevices || mv != seenMetadata || selfChanged) {
            boolean nudge = selfChanged && seenDevices != -1;
            seenDevices = dv;
            seenMetadata = mv;
            selfChanged = false;
            reconciler.update(selfInfo, peerInfos());
            if (nudge) {
                reconciler.nudgeAll(); // our mapping moved: open it towards every peer at once
            }
        }
        Reconciler.TickResult r = reconciler.tick();
        securityGroups.tick();
        if (!reattaching) {
            reporter.offer(
                    asDevice,
                    self.id(),
                    ConnectivityReporter.natType(nat, setup.endpoints().apply(nat)),
                    reconciler.peers());
            mapKeeper.offer(
                    asDevice, self.id(), dv + mv + session.securityGroups().version());
        }
        if (r.stallSuspected()) {
            setup.stunRecheck().accept("a peer went silent");
        } else if (r.pathFailed()) {
            setup.stunRecheck().accept("a peering method changed");
        }
    }

    /** Convenience for tests and single events. */
    void handle(AgentEvent event) throws BackendException {
        handle(List.of(event));
    }

    private void apply(AgentEvent event) throws BackendException {
        switch (event) {
            case AgentEvent.WatchChanged w -> {
                // the reconcile after the batch compares versions
            }
            case AgentEvent.Tick t -> {
                // every batch ends with a tick
            }
            case AgentEvent.DeviceDeleted d -> {
                if (d.deviceId().equals(self.id())) {
                    onDeviceDeleted();
                }
            }
            case AgentEvent.TokenRejected t -> onTokenRejected();
            case AgentEvent.NatChanged n -> onNatChanged(n.nat());
            case AgentEvent.PublicRelay p -> {
                reconciler.setPublicDerp(p.relay());
                reconciler.bypassExitNode(p.addresses());
            }
            case AgentEvent.ExitNodeRequest x -> {
                try {
                    x.reply()
                            .complete(
                                    x.selector().isPresent()
                                            ? reconciler.useExitNode(
                                                    x.selector().get())
                                            : reconciler.stopUsingExitNode());
                } catch (IllegalArgumentException | BackendException e) {
                    x.reply().completeExceptionally(e);
                }
            }
            case AgentEvent.Reattached r -> onReattached(r.joined());
            case AgentEvent.ReattachFailed f -> {
                boolean wasOffline = offline;
                reattaching = false;
                offline = false;
                log.error("cannot register again: {}", f.reason());
                setup.status().accept(AgentStatus.of(AgentStatus.ERROR, "cannot register again: " + f.reason()));
                if (f.deviceDeleted()) {
                    mapKeeper.forget();
                }
                if (f.deviceDeleted() || wasOffline) {
                    // deleted while we were away: as if we had seen the delete event, but nexd stays stopped
                    // until someone starts it with --rejoin. Refused after a start from the stored peer map: the
                    // service decided against this device, and the map must not keep it in the VPC (a start would
                    // have ended here)
                    deleted = true;
                    reconciler.update(selfInfo, List.of());
                    session.closeWatch();
                }
            }
            case AgentEvent.EndpointsPublished p -> {
                if (!reattaching && p.device().id().equals(self.id())) {
                    self = p.device();
                    published = self;
                    unpublished = false;
                }
            }
        }
    }

    private void onDeviceDeleted() throws BackendException {
        deleted = true;
        mapKeeper.forget();
        log.error(
                "this device ({}) was deleted from the service: removing all peers. Restart nexd to register again.",
                self.id());
        setup.status()
                .accept(AgentStatus.of(
                        AgentStatus.ERROR, "this device was deleted from the service; restart nexd to register again"));
        reconciler.update(selfInfo, List.of());
        session.closeWatch();
    }

    /**
     * The service refuses our device token although we never saw our device deleted: it forgot the device (a restore
     * from backup, a lost write). Register again with the original credentials, asking for the same tunnel address,
     * and resume the watch: the tunnels keep running meanwhile. (A device an administrator deleted while we were
     * connected is not re-registered: we saw its delete event.)
     */
    private void onTokenRejected() {
        if (reattaching) {
            return;
        }
        reattaching = true;
        log.warn(
                "the service no longer accepts this device's token (device {} unknown to it); registering again",
                self.id());
        setup.status()
                .accept(AgentStatus.of(AgentStatus.STARTING, "the service forgot this device; registering again"));
        session.closeWatch();
        session.reattach(self, nat);
    }

    private void onReattached(Registration.Joined joined) {
        boolean wasOffline = offline;
        offline = false;
        Device old = self;
        self = joined.device();
        asDevice = joined.asDevice();
        published = self;
        reattaching = false;
        setup.tunnelAddresses().move(old, self);
        // a service that forgot our device also forgot other writes we saw: our revisions mean nothing to it now
        session.relist();
        session.openWatch(asDevice);
        if (natChangedWhileReattaching || unpublished) {
            // a request still retrying uses the refused token and the old device: replace it
            natChangedWhileReattaching = false;
            publish();
        }
        setup.status()
                .accept(AgentStatus.of(
                        AgentStatus.RUNNING,
                        setup.role() + " " + self.id() + " in VPC " + vpc.id() + ", tunnel IP "
                                + Registration.firstAddress(self.ipv4TunnelIps())
                                + (wasOffline ? " (the service is back; was offline)" : " (registered again)")));
        if (wasOffline) {
            log.info("the service is back: registered as device {}; the watch replaces the stored peer map", self.id());
        } else {
            log.info("registered again as device {}", self.id());
        }
    }

    /** STUN saw a new mapping (or NAT verdict): use it for peering at once and tell the service. */
    private void onNatChanged(NatObservation newNat) {
        nat = newNat;
        selfInfo = new SelfInfo(
                selfInfo.publicKey(),
                selfInfo.relay(),
                setup.relayOnly() || newNat.symmetricNat(),
                selfInfo.relayOnly(),
                newNat.reflexive().map(InetSocketAddress::getAddress),
                selfInfo.vpcCidrs(),
                newNat.portPrediction().isPresent());
        selfChanged = true;
        if (reattaching) {
            natChangedWhileReattaching = true; // published once registered again; that also opens the watch
            return;
        }
        publish();
        if (newNat.reflexive().isPresent()) {
            // our NAT mapping changed: the watch stream's TCP connection through that NAT is most likely dead too,
            // and would only be noticed after a stall; reopen it now (it resumes by revision)
            session.closeWatch();
            session.openWatch(asDevice);
        }
    }

    private void publish() {
        unpublished = true;
        publisher.publish(asDevice, self.id(), setup.endpoints().apply(nat), setup.relayOnly() || nat.symmetricNat());
    }

    private List<PeerInfo> peerInfos() {
        Map<String, DeviceMetadata> meta = session.relayMetadata().items();
        List<PeerInfo> out = new ArrayList<>();
        for (Device d : session.devices().items().values()) {
            if (d.id().equals(self.id())) {
                continue;
            }
            if (d.publicKey() == null || !NodePublicKey.isValidBase64(d.publicKey())) {
                log.debug("ignoring device {} without a valid public key", d.id());
                continue;
            }
            out.add(PeerInfo.from(d, Optional.ofNullable(meta.get(d.id() + "/relay"))));
        }
        return out;
    }
}
