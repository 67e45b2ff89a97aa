package io.nexodus.nexd.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.SecurityRule;
import io.nexodus.api.model.TunnelIp;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.api.watch.Informer;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.nexd.endpoint.NatObservation;
import io.nexodus.nexd.peering.PeeringTimeouts;
import io.nexodus.nexd.peering.SelfInfo;
import io.nexodus.nexd.wg.PeerEntry;
import io.nexodus.packetfilter.Direction;
import io.nexodus.packetfilter.StatefulFilter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Drives the agent's logic without root: registration against an in-process fake service, and the event loop
 * ({@link AgentLoop}, called on the test's thread) with informers fed by hand, a fake WireGuard backend, a fake VPC
 * session and endpoint publisher, and a fixed clock. No test waits for time to pass.
 */
class AgentTest {
    private static final Vpc VPC =
            new Vpc(UUID.randomUUID(), UUID.randomUUID(), "vpc", false, "100.64.0.0/10", "200::/64", 1);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private final NodePrivateKey selfKey = NodePrivateKey.generate();
    private final Device self = device(selfKey.publicKey(), "100.64.0.1", "198.51.100.1:51820", 1);
    private final Device peerB = device(NodePrivateKey.generate().publicKey(), "100.64.0.2", "203.0.113.2:51820", 2);
    private final FakeWireGuard wg = new FakeWireGuard(selfKey.publicKey().toBase64());
    private final FakeSession session = new FakeSession();
    private final RecordingMaps maps = new RecordingMaps();
    private final List<List<Endpoint>> published = new ArrayList<>();
    private final List<AgentStatus> statuses = new ArrayList<>();
    private final List<String> stunRechecks = new ArrayList<>();
    /** What the loop offered the connectivity reporter: NAT type and peers, per tick. */
    private final List<Map.Entry<String, List<PeerView>>> offered = new ArrayList<>();

    private final SecurityGroupEnforcer securityGroups =
            new SecurityGroupEnforcer(new StatefulFilter(), wg, VPC.id(), false, System::nanoTime, null);
    private HttpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    // ---------------------------------------------------------------------------------------------- registration

    @Test
    void firstRegistrationCreatesTheDeviceAndUsesItsToken() throws Exception {
        FakeService service = new FakeService(Optional.empty());
        Registration.Joined joined = join(service);

        assertEquals(List.of("POST /api/devices"), service.requests);
        assertEquals(service.id, joined.device().id());
        assertEquals(null, joined.device().bearerToken(), "the sealed token is not kept in the device");
        joined.asDevice().devices().get(service.id);
        assertEquals("Bearer " + FakeService.DEVICE_TOKEN, service.lastAuthorization, "opened with our key");
    }

    @Test
    void conflictOnCreateUpdatesTheExistingDevice() throws Exception {
        UUID existing = UUID.randomUUID();
        FakeService service = new FakeService(Optional.of(existing));
        Registration.Joined joined = join(service);

        assertEquals(List.of("POST /api/devices", "PATCH /api/devices/" + existing), service.requests);
        assertEquals(existing, joined.device().id());
    }

    @Test
    void aDeviceAnAdministratorDeletedIsNotRegisteredAgain() {
        FakeService service = new FakeService(Optional.empty());
        service.deleted = true;
        StartupException e = assertThrows(StartupException.class, () -> join(service));

        assertEquals(List.of("POST /api/devices"), service.requests, "no other attempt (no PATCH, no new key)");
        assertTrue(e.getMessage().startsWith("an administrator deleted this device"), e.getMessage());
        assertTrue(e.getMessage().endsWith("start nexd with --rejoin"), e.getMessage());
    }

    @Test
    void aRouterRegistersItsNetworksAndAPlainAgentWithdrawsThem() throws Exception {
        AgentConfig router = config().withRouter(new RouterConfig(List.of("192.168.31.0/24"), true, true));
        FakeService fresh = new FakeService(Optional.empty());
        join(fresh, router);
        assertTrue(
                fresh.bodies.getFirst().contains("\"advertise_cidrs\":[\"192.168.31.0/24\"]"), fresh.bodies.toString());
        stopServer();

        UUID existing = UUID.randomUUID();
        FakeService restart = new FakeService(Optional.of(existing));
        join(restart, router);
        assertEquals("PATCH /api/devices/" + existing, restart.requests.get(1));
        assertTrue(
                restart.bodies.get(1).contains("\"advertise_cidrs\":[\"192.168.31.0/24\"]"), restart.bodies.toString());
        stopServer();

        FakeService plain = new FakeService(Optional.of(existing));
        join(plain);
        assertTrue(plain.bodies.get(1).contains("\"advertise_cidrs\":[]"), plain.bodies.toString());
    }

    @Test
    void aConflictOverAnAdvertisedNetworkIsNeverTakenForThisKeysDevice() throws Exception {
        UUID other = UUID.randomUUID();
        FakeService service = new FakeService(Optional.empty());
        // even with an id (as on an update): only "resource already exists" means "this key is registered"
        service.conflict = "{\"id\":\"" + other + "\",\"error\":\"advertise_cidrs: 192.168.31.0/24 overlaps"
                + " 192.168.0.0/16 advertised by device " + other + "\"}";
        AgentConfig router = config().withRouter(new RouterConfig(List.of("192.168.31.0/24"), true, true));
        StartupException e = assertThrows(StartupException.class, () -> join(service, router));
        assertEquals(List.of("POST /api/devices"), service.requests, "the other device is not updated");
        assertTrue(e.getMessage().contains("--advertise-cidr"), e.getMessage());
        assertTrue(e.getMessage().contains("advertised by device " + other), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------- the event loop

    @Test
    void firstWatchListConfiguresThePeers() throws Exception {
        AgentLoop loop = loop();
        loop.handle(AgentEvent.WATCH_CHANGED);
        assertTrue(wg.peers.isEmpty(), "nothing before the first list arrived");

        syncWith(self, peerB);
        loop.handle(AgentEvent.WATCH_CHANGED);

        assertEquals(List.of(peerB.publicKey()), List.copyOf(wg.peers.keySet()));
    }

    @Test
    void noPeerIsConfiguredBeforeTheSecurityGroupsArrive() throws Exception {
        AgentLoop loop = loop();
        event(session.devices, WatchEvent.TYPE_CHANGE, self);
        event(session.devices, WatchEvent.TYPE_CHANGE, peerB);
        session.devices.onEvent(new WatchEvent("device", WatchEvent.TYPE_TAIL, null));
        session.relayMetadata.onEvent(new WatchEvent("device-metadata", WatchEvent.TYPE_TAIL, null));
        loop.handle(AgentEvent.WATCH_CHANGED);
        assertTrue(wg.peers.isEmpty(), "no packet may pass before this device's group is in force");

        session.securityGroups.onEvent(new WatchEvent("security-group", WatchEvent.TYPE_TAIL, null));
        loop.handle(AgentEvent.WATCH_CHANGED);
        assertEquals(List.of(peerB.publicKey()), List.copyOf(wg.peers.keySet()));
    }

    @Test
    void aSecurityGroupChangeOnTheWatchIsInForceAfterTheBatch() throws Exception {
        AgentLoop loop = running();
        UUID ssh = UUID.randomUUID();
        SecurityGroup group = new SecurityGroup(
                ssh, "ssh", VPC.id(), List.of(new SecurityRule("tcp", 22, 22, List.of())), List.of(), 7);
        session.securityGroups.onEvent(new WatchEvent(
                "security-group", WatchEvent.TYPE_CHANGE, Json.mapper().valueToTree(group)));
        event(session.devices, WatchEvent.TYPE_CHANGE, inGroup(self, ssh)); // an administrator moved this device
        loop.handle(AgentEvent.WATCH_CHANGED);

        assertEquals(ssh + " rev 7", securityGroups.filter().rules().label());
        assertEquals(1, securityGroups.filter().rules().rules(Direction.INBOUND).size());

        SecurityGroup open = new SecurityGroup(ssh, "ssh", VPC.id(), List.of(), List.of(), 8);
        session.securityGroups.onEvent(new WatchEvent(
                "security-group", WatchEvent.TYPE_CHANGE, Json.mapper().valueToTree(open)));
        loop.handle(AgentEvent.WATCH_CHANGED);
        assertTrue(securityGroups.filter().rules().allowsAll());
    }

    @Test
    void exitNodeRequestsAreAnsweredByTheLoop() throws Exception {
        AgentLoop loop = running();
        CompletableFuture<String> enable = new CompletableFuture<>();
        loop.handle(new AgentEvent.ExitNodeRequest(Optional.of("lan-a"), enable));
        // this test's reconciler changes no routes: the refusal reaches the caller, the loop goes on
        ExecutionException refused = Assertions.assertThrows(ExecutionException.class, enable::get);
        assertTrue(refused.getCause() instanceof IllegalArgumentException);
        assertTrue(refused.getCause().getMessage().contains("cannot use an exit node"));
        CompletableFuture<String> disable = new CompletableFuture<>();
        loop.handle(new AgentEvent.ExitNodeRequest(Optional.empty(), disable));
        assertEquals("no exit node was in use", disable.get());
        assertEquals(List.of(peerB.publicKey()), List.copyOf(wg.peers.keySet()));
    }

    @Test
    void tokenRejectedRegistersAgainOnceAndResumesTheWatch() throws Exception {
        AgentLoop loop = running();
        loop.handle(new AgentEvent.TokenRejected());
        loop.handle(new AgentEvent.TokenRejected());

        assertEquals(1, session.reattaches, "one re-registration at a time");
        assertEquals(1, session.closes);
        assertEquals(AgentStatus.STARTING, lastStatus().state());

        Device again = device(selfKey.publicKey(), "100.64.0.1", "198.51.100.1:51820", 9);
        loop.handle(new AgentEvent.Reattached(new Registration.Joined(again, VPC, client())));
        assertEquals(1, session.relists, "the service forgot writes we saw: list everything again, not resume");

        assertEquals(again.id(), loop.device().id());
        assertEquals(2, session.opens, "the watch resumes with the new device token");
        assertEquals(AgentStatus.RUNNING, lastStatus().state());
        assertEquals(List.of(peerB.publicKey()), List.copyOf(wg.peers.keySet()), "the tunnels stayed up");
    }

    @Test
    void deviceDeletedRemovesEveryPeerAndStops() throws Exception {
        AgentLoop loop = running();
        event(session.devices, WatchEvent.TYPE_DELETE, self);
        loop.handle(new AgentEvent.DeviceDeleted(self.id()));

        assertTrue(wg.peers.isEmpty());
        assertEquals(AgentStatus.ERROR, lastStatus().state());
        assertEquals(1, session.closes, "the watch stops");
        assertEquals(1, maps.forgets, "a restart while the service is down must not come back from the map");

        Device peerC = device(NodePrivateKey.generate().publicKey(), "100.64.0.3", "203.0.113.3:51820", 5);
        event(session.devices, WatchEvent.TYPE_CHANGE, peerC);
        loop.handle(AgentEvent.WATCH_CHANGED);
        loop.handle(new AgentEvent.TokenRejected());
        assertTrue(wg.peers.isEmpty(), "a deleted device peers with nobody until restarted");
        assertEquals(0, session.reattaches, "and does not register again");
    }

    @Test
    void deletedWhileAwayRemovesEveryPeerAndStaysStopped() throws Exception {
        AgentLoop loop = running();
        loop.handle(new AgentEvent.TokenRejected());
        assertEquals(1, session.reattaches);
        loop.handle(new AgentEvent.ReattachFailed("an administrator deleted this device; ... --rejoin", true));

        assertTrue(wg.peers.isEmpty(), "peers dropped us anyway: no tunnels left pointing at them");
        assertEquals(AgentStatus.ERROR, lastStatus().state());
        assertTrue(lastStatus().message().contains("--rejoin"), lastStatus().message());
        assertEquals(1, maps.forgets);
        loop.handle(new AgentEvent.TokenRejected());
        assertEquals(1, session.reattaches, "and does not try again by itself");
    }

    @Test
    void aRefusedReregistrationForAnotherReasonKeepsTheTunnels() throws Exception {
        AgentLoop loop = running();
        loop.handle(new AgentEvent.TokenRejected());
        loop.handle(new AgentEvent.ReattachFailed("the registration key was deleted", false));

        assertEquals(AgentStatus.ERROR, lastStatus().state());
        assertEquals(List.of(peerB.publicKey()), List.copyOf(wg.peers.keySet()));
    }

    @Test
    void anotherDeviceDeletedOnlyRemovesThatPeer() throws Exception {
        AgentLoop loop = running();
        event(session.devices, WatchEvent.TYPE_DELETE, peerB);
        loop.handle(new AgentEvent.DeviceDeleted(peerB.id()));

        assertTrue(wg.peers.isEmpty());
        assertEquals(AgentStatus.RUNNING, lastStatus().state());
    }

    @Test
    void watchDropResumesByRevision() throws Exception {
        AgentLoop loop = running();
        long revision = session.devices.currentWatch().gtRevision();
        assertEquals(peerB.revision(), revision);

        // the stream drops and reopens (inside the session): the informers keep their revision, so the new stream
        // asks for what came after it, and only that arrives
        session.closeWatch();
        session.openWatch(client());
        assertEquals(revision, session.devices.currentWatch().gtRevision());
        Device peerC = device(NodePrivateKey.generate().publicKey(), "100.64.0.3", "203.0.113.3:51820", revision + 1);
        event(session.devices, WatchEvent.TYPE_CHANGE, peerC);
        loop.handle(AgentEvent.WATCH_CHANGED);

        assertEquals(
                List.of(peerB.publicKey(), peerC.publicKey()).stream().sorted().toList(),
                wg.peers.keySet().stream().sorted().toList());
        assertEquals(peerC.revision(), session.devices.currentWatch().gtRevision());
    }

    @Test
    void natChangePushesEndpointsAndReopensTheWatch() throws Exception {
        AgentLoop loop = running();
        NatObservation moved = nat("198.51.100.7:40000");
        loop.handle(new AgentEvent.NatChanged(moved));

        assertEquals(List.of(List.of(new Endpoint("stun:stun1:3478", "198.51.100.7:40000"))), published);
        assertEquals(1, session.closes);
        assertEquals(2, session.opens, "the watch's TCP connection went through the old mapping");

        Device accepted = self.withBearerToken(null);
        loop.handle(new AgentEvent.EndpointsPublished(accepted));
        assertEquals(accepted, loop.device());
    }

    @Test
    void natChangeWhileRegisteringAgainIsPublishedAfterwards() throws Exception {
        AgentLoop loop = running();
        loop.handle(new AgentEvent.TokenRejected());
        loop.handle(new AgentEvent.NatChanged(nat("198.51.100.8:40001")));
        assertTrue(published.isEmpty(), "the old device token is refused: nothing to publish with");

        loop.handle(new AgentEvent.Reattached(new Registration.Joined(self, VPC, client())));
        assertEquals(List.of(List.of(new Endpoint("stun:stun1:3478", "198.51.100.8:40001"))), published);
    }

    @Test
    void endpointsStillRetryingArePublishedAgainWithTheNewToken() throws Exception {
        AgentLoop loop = running();
        loop.handle(new AgentEvent.NatChanged(nat("198.51.100.9:40002")));
        loop.handle(new AgentEvent.TokenRejected()); // the publisher keeps failing with the refused token
        loop.handle(new AgentEvent.Reattached(new Registration.Joined(self, VPC, client())));

        assertEquals(2, published.size(), "handed over again, with the new device client");
        assertEquals(published.get(0), published.get(1));
    }

    @Test
    void serviceDownLeavesTheDataPlaneUnchanged() throws Exception {
        AgentLoop loop = running();
        Map<String, PeerEntry> before = Map.copyOf(wg.peers);
        int changes = wg.changes;

        // the watch stream is gone and the service answers nothing: only ticks arrive
        session.closeWatch();
        for (int i = 0; i < 5; i++) {
            loop.handle(AgentEvent.TICK);
        }

        assertEquals(before, wg.peers);
        assertEquals(changes, wg.changes, "no WireGuard change while the service is away");
        assertEquals(AgentStatus.RUNNING, lastStatus().state());
    }

    @Test
    void fullQueueDropsOnlyRedundantEvents() throws Exception {
        AgentEvents events = new AgentEvents();
        for (int i = 0; i < AgentEvents.CAPACITY; i++) {
            events.post(AgentEvent.WATCH_CHANGED);
        }
        events.post(AgentEvent.TICK); // dropped: the loop ticks after the batch anyway
        List<AgentEvent> batch = new ArrayList<>();
        events.drainTo(batch);
        assertEquals(AgentEvents.CAPACITY, batch.size());
        assertTrue(batch.stream().allMatch(e -> e instanceof AgentEvent.WatchChanged));
    }

    @Test
    void everyTickOffersThePeersAndNatTypeToTheConnectivityReporter() throws Exception {
        running();
        Map.Entry<String, List<PeerView>> last = offered.getLast();
        assertEquals("cone", last.getKey());
        assertEquals(
                List.of(peerB.id()),
                last.getValue().stream().map(PeerView::deviceId).toList());
        assertTrue(last.getValue().getFirst().method() != null, "B has a method");
    }

    @Test
    void startedFromTheStoredPeerMapItConfiguresThePeersAndTellsTheServiceNothingUntilRegistered() throws Exception {
        AgentLoop loop = loop();
        loop.startOffline();
        syncWith(self, peerB); // what VpcSession.seed puts into the informers from the map
        loop.handle(AgentEvent.WATCH_CHANGED);
        assertEquals(List.of(peerB.publicKey()), List.copyOf(wg.peers.keySet()), "B from the map");
        assertTrue(offered.isEmpty(), "no connectivity report without a device token");
        assertTrue(maps.offers.isEmpty(), "no peer map fetch without a device token");

        // a NAT change meanwhile is published once registered; a refused token is not "registering again" twice
        loop.handle(new AgentEvent.NatChanged(nat("198.51.100.20:40000")));
        loop.handle(new AgentEvent.TokenRejected());
        assertTrue(published.isEmpty());
        assertEquals(0, session.reattaches);

        // the service is back: the session registered the device; the live list replaces the map
        loop.handle(new AgentEvent.Reattached(new Registration.Joined(self, VPC, client())));
        assertEquals(1, session.relists);
        assertEquals(2, session.opens);
        assertEquals(1, published.size());
        assertTrue(
                lastStatus().message().contains("the service is back"),
                lastStatus().message());
        assertEquals(AgentStatus.RUNNING, lastStatus().state());
        loop.handle(AgentEvent.TICK);
        assertTrue(!offered.isEmpty(), "reports flow again");
        assertTrue(!maps.offers.isEmpty(), "and the map is kept again");
        assertEquals(List.of(peerB.publicKey()), List.copyOf(wg.peers.keySet()), "B never left the data plane");
    }

    @Test
    void aRefusalAfterAStartFromTheStoredPeerMapRemovesThePeers() throws Exception {
        AgentLoop loop = loop();
        loop.startOffline();
        syncWith(self, peerB);
        loop.handle(AgentEvent.WATCH_CHANGED);
        assertEquals(List.of(peerB.publicKey()), List.copyOf(wg.peers.keySet()));

        // the service is back and refuses (a start would have ended here): the map must not keep us in the VPC
        loop.handle(new AgentEvent.ReattachFailed("the registration key was deleted", false));
        assertTrue(wg.peers.isEmpty());
        assertEquals(AgentStatus.ERROR, lastStatus().state());
        assertEquals(0, maps.forgets, "the device itself was not deleted: its map stays");
    }

    // ---------------------------------------------------------------------------------------------- fixtures

    private AgentLoop loop() {
        AgentLoop.Setup setup = new AgentLoop.Setup(
                "device",
                false,
                Duration.ofSeconds(1),
                n -> n.reflexive()
                        .map(r ->
                                List.of(new Endpoint("stun:" + n.stunServer(), r.getHostString() + ":" + r.getPort())))
                        .orElse(List.of()),
                stunRechecks::add,
                statuses::add,
                (from, to) -> {});
        SelfInfo selfInfo = new SelfInfo(
                selfKey.publicKey().toBase64(), false, false, false, Optional.empty(), Agent.vpcCidrs(VPC), false);
        Reconciler reconciler = new Reconciler(wg, null, PeeringTimeouts.DEFAULT, CLOCK);
        AgentLoop loop = new AgentLoop(
                new AgentEvents(),
                setup,
                session,
                (client, id, endpoints, symmetric) -> published.add(endpoints),
                (client, id, natType, peers) -> offered.add(Map.entry(natType, peers)),
                reconciler,
                securityGroups,
                VPC,
                new Registration.Joined(self, VPC, client()),
                selfInfo,
                nat("198.51.100.1:51820"));
        loop.keepPeerMaps(maps);
        session.openWatch(client());
        statuses.add(AgentStatus.of(AgentStatus.RUNNING, "running"));
        return loop;
    }

    /** A loop that has received the first list (this device and peer B) and configured B. */
    private AgentLoop running() throws Exception {
        AgentLoop loop = loop();
        syncWith(self, peerB);
        loop.handle(AgentEvent.WATCH_CHANGED);
        assertEquals(List.of(peerB.publicKey()), List.copyOf(wg.peers.keySet()));
        return loop;
    }

    private void syncWith(Device... devices) {
        for (Device d : devices) {
            event(session.devices, WatchEvent.TYPE_CHANGE, d);
        }
        session.devices.onEvent(new WatchEvent("device", WatchEvent.TYPE_TAIL, null));
        session.relayMetadata.onEvent(new WatchEvent("device-metadata", WatchEvent.TYPE_TAIL, null));
        session.securityGroups.onEvent(new WatchEvent("security-group", WatchEvent.TYPE_TAIL, null));
    }

    private static void event(Informer<Device> informer, String type, Device d) {
        informer.onEvent(new WatchEvent("device", type, Json.mapper().valueToTree(d)));
    }

    private AgentStatus lastStatus() {
        return statuses.getLast();
    }

    private static NatObservation nat(String reflexive) {
        String[] hp = reflexive.split(":", 2);
        return new NatObservation(
                Optional.of(new InetSocketAddress(hp[0], Integer.parseInt(hp[1]))), "stun1:3478", false, List.of());
    }

    private static NexodusClient client() {
        return NexodusClient.builder(URI.create("http://127.0.0.1:9")).build();
    }

    private static Device device(NodePublicKey key, String tunnelIp, String endpoint, long revision) {
        return new Device(
                UUID.randomUUID(),
                UUID.randomUUID(),
                VPC.id(),
                key.toBase64(),
                List.of(tunnelIp + "/32"),
                List.of(new TunnelIp(tunnelIp, "100.64.0.0/10")),
                List.of(),
                List.of(),
                false,
                false,
                "host-" + tunnelIp,
                "linux",
                List.of(new Endpoint(Endpoint.SOURCE_STUN_PREFIX + "stun1:3478", endpoint)),
                revision,
                null,
                true,
                null,
                null);
    }

    private static Device inGroup(Device d, UUID group) {
        return new Device(
                d.id(),
                d.ownerId(),
                d.vpcId(),
                d.publicKey(),
                d.allowedIps(),
                d.ipv4TunnelIps(),
                d.ipv6TunnelIps(),
                d.advertiseCidrs(),
                d.relay(),
                d.symmetricNat(),
                d.hostname(),
                d.os(),
                d.endpoints(),
                d.revision() + 1,
                group,
                d.online(),
                d.onlineAt(),
                null);
    }

    private Registration.Joined join(FakeService service) throws Exception {
        return join(service, config());
    }

    private Registration.Joined join(FakeService service, AgentConfig config) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/devices", service::handle);
        server.start();
        NexodusClient api = NexodusClient.builder(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .bearerToken("user-token")
                .build();
        Registration registration = new Registration(config);
        Registration.Announcement me = new Registration.Announcement(
                selfKey.publicKey().toBase64(), false, false, "host-a", List.of(), Optional.empty());
        return registration.join(
                new ServiceLogin.Login(api, false), new Registration.Target(VPC, null), me, selfKey.toBase64());
    }

    private static AgentConfig config() {
        return new AgentConfig(
                AgentConfig.Mode.AGENT,
                URI.create("http://127.0.0.1:9"),
                TlsOptions.DEFAULT,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Path.of("/nonexistent"),
                Path.of("/nonexistent/nexd.sock"),
                0,
                Optional.empty(),
                Optional.empty(),
                List.of("stun1:3478", "stun2:3478"),
                false,
                "wg0",
                1420,
                List.of(),
                "host-a",
                PeeringTimeouts.DEFAULT,
                Duration.ofSeconds(20),
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                Optional.empty(),
                RouterConfig.NONE,
                ProxyConfig.NONE,
                Optional.empty(),
                Duration.ofHours(24));
    }

    /** The service's device endpoints: create (or 409 with the existing id), update, get; the token sealed to us. */
    private final class FakeService {
        static final String DEVICE_TOKEN = "DT:device-token";
        final List<String> requests = new ArrayList<>();
        final List<String> bodies = new ArrayList<>();
        final Optional<UUID> existing;
        final UUID id;
        volatile String lastAuthorization;
        volatile boolean deleted;
        /** When set: the 409 every POST gets (a conflict that is not "this key exists"). */
        String conflict;

        FakeService(Optional<UUID> existing) {
            this.existing = existing;
            this.id = existing.orElseGet(UUID::randomUUID);
        }

        void handle(HttpExchange x) throws IOException {
            String method = x.getRequestMethod();
            String path = x.getRequestURI().getPath();
            lastAuthorization = x.getRequestHeaders().getFirst("Authorization");
            if (!method.equals("GET")) {
                requests.add(method + " " + path);
            }
            byte[] body = x.getRequestBody().readAllBytes();
            if (!method.equals("GET")) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
            }
            if (method.equals("POST") && deleted) {
                respond(
                        x,
                        410,
                        "{\"error\":\"operation not allowed\",\"reason\":\"device deleted: device " + id
                                + " with this public key was deleted at 2026-12-06T10:00:00Z by user " + id
                                + "; to join again, register a new key\"}");
                return;
            }
            if (method.equals("POST") && conflict != null) {
                respond(x, 409, conflict);
                return;
            }
            if (method.equals("POST") && existing.isPresent()) {
                respond(x, 409, "{\"error\":\"resource already exists\",\"id\":\"" + existing.get() + "\"}");
                return;
            }
            if (method.equals("POST")) {
                AddDevice add = Json.mapper().readValue(body, AddDevice.class);
                assertEquals(selfKey.publicKey().toBase64(), add.publicKey());
            }
            Device d = new Device(
                            id,
                            UUID.randomUUID(),
                            VPC.id(),
                            selfKey.publicKey().toBase64(),
                            List.of("100.64.0.1/32"),
                            List.of(new TunnelIp("100.64.0.1", "100.64.0.0/10")),
                            List.of(),
                            List.of(),
                            false,
                            false,
                            "host-a",
                            "linux",
                            List.of(),
                            1,
                            null,
                            true,
                            null,
                            null)
                    .withBearerToken(method.equals("GET") ? null : SealedToken.seal(selfKey.publicKey(), DEVICE_TOKEN));
            respond(x, method.equals("POST") ? 201 : 200, Json.mapper().writeValueAsString(d));
        }

        private void respond(HttpExchange x, int status, String json) throws IOException {
            byte[] out = json.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(status, out.length);
            x.getResponseBody().write(out);
            x.close();
        }
    }

    /** The VPC session with real informers fed by the test; counts what the loop asks of it. */
    private static final class RecordingMaps implements AgentLoop.MapKeeper {
        final List<Long> offers = new ArrayList<>();
        int forgets;

        @Override
        public void offer(NexodusClient asDevice, UUID deviceId, long version) {
            offers.add(version);
        }

        @Override
        public void forget() {
            forgets++;
        }
    }

    private static final class FakeSession implements AgentLoop.Session {
        int relists;

        final Informer<Device> devices = Informer.devices(VPC.id());
        final Informer<DeviceMetadata> relayMetadata = Informer.deviceMetadata(VPC.id(), "relay");
        final Informer<SecurityGroup> securityGroups = Informer.securityGroups(VPC.id());
        int opens;
        int closes;
        int reattaches;

        @Override
        public Informer<Device> devices() {
            return devices;
        }

        @Override
        public Informer<DeviceMetadata> relayMetadata() {
            return relayMetadata;
        }

        @Override
        public Informer<SecurityGroup> securityGroups() {
            return securityGroups;
        }

        @Override
        public void relist() {
            relists++;
        }

        @Override
        public void openWatch(NexodusClient asDevice) {
            opens++;
        }

        @Override
        public void closeWatch() {
            closes++;
        }

        @Override
        public void reattach(Device oldSelf, NatObservation nat) {
            reattaches++;
        }
    }
}
