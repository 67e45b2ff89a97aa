package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.errorprone.annotations.FormatMethod;
import io.nexodus.api.client.ListOptions;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.Pem;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.server.testing.Keys;
import java.net.URI;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three replicas as separate processes on one PostgreSQL behind nginx (TLS, passive health checks), clients using
 * only the balancer's URL ({@link LoadBalancedReplicas}): registrations spread over the replicas get unique addresses
 * and a watch on one replica sees changes made through the others; {@code kill -9} of a replica during concurrent
 * registrations with open watch streams loses no committed device, hands out no address twice, gives every client a
 * success or a retryable error its retry turns into a success, and every watch resumes without missing or repeating
 * an event; a rolling restart of all three fails no operation after retries. The replicas' public DERP relays mesh:
 * {@code /api/relays} lists one region with every live replica's node, DERP clients homed on different replicas
 * exchange packets (but not across VPCs), and a client whose replica is killed moves to another node while a packet
 * stream to it continues (the gap is reported).
 *
 * <p>Counts: {@code -Dnexodus.lb.registrations} (default 60) and {@code -Dnexodus.lb.watches} (default 30) keep the
 * CI run short; {@code bench/scripts/replicas-lb.sh} runs it with 200 and 100. Lines starting with {@code replicas-lb:}
 * are the measured numbers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadBalancedReplicasIT {
    private static final int REGISTRATIONS = Integer.getInteger("nexodus.lb.registrations", 60);
    private static final int WATCHES = Integer.getInteger("nexodus.lb.watches", 30);
    private static final int CHANGES = Integer.getInteger("nexodus.lb.changes", 12);
    /** The bound asserted for one change to reach a watch on another replica (measured: see the report lines). */
    private static final Duration PROPAGATION_BOUND = Duration.ofSeconds(2);

    private LoadBalancedReplicas lab;
    private NexodusClient admin;
    private UUID vpc;
    private String regKey;
    private String adminToken;
    private final List<RecordingWatch> watches = new ArrayList<>();
    private final List<String> report = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void start() throws Exception {
        assertThat(LoadBalancedReplicas.available())
                .as("PostgreSQL and nginx installed (apt-get install postgresql nginx)")
                .isTrue();
        long t0 = System.nanoTime();
        lab = LoadBalancedReplicas.start(3);
        report("3 replicas and nginx started in %d ms", ms(t0));
        adminToken = lab.adminToken();
        admin = lab.client(adminToken, "lab-admin");
        vpc = admin.users().me().id();
        regKey = admin.regKeys()
                .create(new AddRegKey(vpc, null, "lb", false, null, null, null))
                .bearerToken();
    }

    @AfterAll
    void stop() {
        watches.forEach(RecordingWatch::close);
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void registrationsSpreadOverTheReplicasAndAWatchSeesChangesMadeThroughOthers() throws Exception {
        guarded(() -> {
            NexodusClient viaKey = lab.client(regKey, "lab-spread");
            List<Device> spread = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                spread.add(viaKey.devices().create(device("spread-" + i)));
            }
            assertThat(spread.stream().map(d -> d.ipv4TunnelIps().getFirst().address()))
                    .as("unique addresses")
                    .doesNotHaveDuplicates();
            Set<String> upstreams = new HashSet<>();
            for (String line : lab.accessLog()) {
                if (line.startsWith("lab-spread|POST /api/devices|")) {
                    String ups = line.split("\\|", -1)[3];
                    upstreams.add(ups.substring(ups.lastIndexOf(' ') + 1));
                }
            }
            assertThat(upstreams).as("registrations went to every replica").hasSize(3);

            Device target = spread.getFirst();
            LinkedBlockingQueue<Device> seen = new LinkedBlockingQueue<>();
            try (RecordingWatch w = new RecordingWatch(lab.client(adminToken, "lab-watch"), vpc)) {
                w.onChange(seen::add);
                w.start();
                assertThat(w.devices.awaitSynced(Duration.ofSeconds(20))).isTrue();
                int watchReplica = replicaWithStreams(1);
                List<Long> crossMs = new ArrayList<>();
                List<Long> sameMs = new ArrayList<>();
                for (int k = 0; k < CHANGES; k++) {
                    String name = "renamed-" + k;
                    NexodusClient changer = lab.client(adminToken, "lab-change-" + k);
                    long t0 = System.nanoTime();
                    changer.devices().update(target.id(), UpdateDevice.empty().withHostname(name));
                    Device got;
                    do {
                        got = seen.poll(10, TimeUnit.SECONDS);
                        assertThat(got).as("the watch saw change %d", k).isNotNull();
                    } while (!got.hostname().equals(name));
                    long took = (System.nanoTime() - t0) / 1_000_000;
                    String upstream = upstreamOf("lab-change-" + k + "|PATCH");
                    (upstream.equals(lab.replica(watchReplica).address()) ? sameMs : crossMs).add(took);
                }
                assertThat(crossMs).as("changes made through another replica").isNotEmpty();
                long crossMax = Collections.max(crossMs);
                long sameMax = sameMs.isEmpty() ? 0 : Collections.max(sameMs);
                report(
                        "watch on replica %d: %d changes through other replicas reached it in p50 %d ms, max %d ms "
                                + "(write + NOTIFY + stream, measured from the PATCH); %d through its own replica: max %d ms",
                        watchReplica, crossMs.size(), percentile(crossMs, 50), crossMax, sameMs.size(), sameMax);
                assertThat(crossMax)
                        .as("a change through another replica reaches the watch within %s", PROPAGATION_BOUND)
                        .isLessThan(PROPAGATION_BOUND.toMillis());
            }
        });
    }

    @Test
    @Order(2)
    void killOfAReplicaDuringRegistrationsLosesNothingAndWatchesResume() throws Exception {
        guarded(() -> {
            for (int i = 0; i < WATCHES; i++) {
                watches.add(new RecordingWatch(lab.client(adminToken, "lab-watch-" + i), vpc).start());
            }
            for (RecordingWatch w : watches) {
                assertThat(w.devices.awaitSynced(Duration.ofSeconds(30))).isTrue();
            }
            int victim = 1;
            int onVictim = (int) lab.metric(victim, "nexodus_watch_streams");
            report(
                    "%d watch streams open through the balancer: %s per replica",
                    WATCHES, streamsPerReplica().toString());

            long passedOnBefore = passedOnByNginx();
            ClientRetry retry = new ClientRetry(Duration.ofSeconds(60));
            NexodusClient viaKey = lab.client(regKey, "lab-register");
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch someDone = new CountDownLatch(Math.max(1, REGISTRATIONS / 5));
            Map<UUID, Device> registered = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            long t0;
            long killedAtMs;
            int outstandingAtKill;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> tasks = new ArrayList<>();
                for (int i = 0; i < REGISTRATIONS; i++) {
                    AddDevice body = device("kill-" + i);
                    tasks.add(pool.submit(() -> {
                        go.await();
                        try {
                            Device d = retry.register(viaKey, body);
                            registered.put(d.id(), d);
                        } catch (RuntimeException e) {
                            failures.add(e);
                        } finally {
                            someDone.countDown();
                        }
                        return null;
                    }));
                }
                t0 = System.nanoTime();
                go.countDown();
                assertThat(someDone.await(60, TimeUnit.SECONDS)).isTrue();
                lab.kill(victim);
                killedAtMs = ms(t0);
                outstandingAtKill = REGISTRATIONS - registered.size() - failures.size();
                for (Future<?> f : tasks) {
                    f.get(120, TimeUnit.SECONDS);
                }
            }
            long allMs = ms(t0);
            assertThat(outstandingAtKill)
                    .as("registrations still under way at the kill")
                    .isPositive();
            assertThat(failures).as("registrations that failed after retries").isEmpty();
            assertThat(registered).hasSize(REGISTRATIONS);
            report(
                    "kill -9 of replica %d after %d ms, with %d of %d concurrent registrations under way: all %d succeeded "
                            + "in %d ms; "
                            + "retried by the clients: %s; %d got 409 on a retry because the lost attempt had committed "
                            + "(then PATCH); %d requests nginx passed on to another replica itself",
                    victim,
                    killedAtMs,
                    outstandingAtKill,
                    REGISTRATIONS,
                    registered.size(),
                    allMs,
                    retry,
                    retry.registeredOnRetryAfterCommit.sum(),
                    passedOnByNginx() - passedOnBefore);
            assertThat(retry.kinds())
                    .as("only retryable errors (connection refused/reset, 502, 503, 504), never a 500")
                    .allMatch(
                            k -> k.startsWith("transport: ") || k.equals("502") || k.equals("503") || k.equals("504"));

            Map<String, Long> db = checkDatabase(registered.values());
            awaitWatchesConverge(db, "after the kill");
            int broken =
                    (int) watches.stream().filter(w -> w.disconnects.get() > 0).count();
            report(
                    "%d of %d watches were on the killed replica (its gauge before the kill: %d); all reconnected "
                            + "through the balancer and hold exactly the database's %d devices at their revisions; "
                            + "events sent twice: %d, resets: %d",
                    broken,
                    WATCHES,
                    onVictim,
                    db.size(),
                    watches.stream().mapToInt(w -> w.resentEvents.get()).sum(),
                    watches.stream().mapToInt(w -> w.resets.get()).sum());
            assertThat(broken).as("the watches on the killed replica broke").isEqualTo(onVictim);

            long restart = System.nanoTime();
            lab.startReplica(victim);
            lab.awaitReady(victim, Duration.ofSeconds(60));
            report("replica %d restarted and ready in %d ms", victim, ms(restart));
        });
    }

    @Test
    @Order(3)
    void aRollingRestartFailsNoOperationAfterRetries() throws Exception {
        guarded(() -> {
            for (LoadBalancedReplicas.Replica r : lab.replicas()) {
                if (r.process == null) { // an earlier test failed before it restarted the replica it killed
                    lab.startReplica(r.index);
                }
            }
            long passedOnBefore = passedOnByNginx();
            ClientRetry retry = new ClientRetry(Duration.ofSeconds(60));
            NexodusClient viaKey = lab.client(regKey, "lab-rolling");
            NexodusClient ops = lab.client(adminToken, "lab-rolling-admin");
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger done = new AtomicInteger();
            AtomicLong slowestMs = new AtomicLong();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Device> created = Collections.synchronizedList(new ArrayList<>());
            Thread client = Thread.ofVirtual().start(() -> {
                int k = 0;
                while (running.get()) {
                    long t = System.nanoTime();
                    try {
                        Device d = retry.register(viaKey, device("rolling-" + k));
                        created.add(d);
                        String name = "rolling-renamed-" + k;
                        retry.call(
                                "rename",
                                () -> ops.devices()
                                        .update(d.id(), UpdateDevice.empty().withHostname(name)));
                        Device again = retry.call("get", () -> ops.devices().get(d.id()));
                        if (!again.hostname().equals(name)) {
                            failures.add(new AssertionError("read " + again.hostname() + " after renaming to " + name));
                        }
                        retry.call("list", () -> ops.vpcs().devices(vpc, ListOptions.NONE));
                        done.addAndGet(4);
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                    slowestMs.accumulateAndGet(ms(t), Math::max);
                    k++;
                }
            });
            long t0 = System.nanoTime();
            List<String> restartMs = new ArrayList<>();
            try {
                for (int i = 0; i < lab.replicas().size(); i++) {
                    Thread.sleep(500);
                    long t = System.nanoTime();
                    lab.stop(i);
                    long stopped = ms(t);
                    lab.startReplica(i);
                    lab.awaitReady(i, Duration.ofSeconds(60));
                    restartMs.add(stopped + "+" + (ms(t) - stopped));
                    // nginx skips a replica for fail_timeout (2 s) after it failed; give it back its share first
                    Thread.sleep(2500);
                }
            } finally {
                running.set(false);
                client.join(Duration.ofSeconds(90));
            }
            assertThat(failures).as("operations that failed after retries").isEmpty();
            report(
                    "rolling restart (SIGTERM, start, wait for /private/ready, 2.5 s, next) of 3 replicas in %d ms "
                            + "(stop+start of each: %s ms): %d operations (register, rename, get, list), 0 failed; "
                            + "retried by the client: %s; %d requests nginx passed on to another replica itself; "
                            + "slowest register+rename+get+list %d ms",
                    ms(t0), restartMs, done.get(), retry, passedOnByNginx() - passedOnBefore, slowestMs.get());
            assertThat(retry.kinds())
                    .as("only retryable errors, never a 500")
                    .allMatch(
                            k -> k.startsWith("transport: ") || k.equals("502") || k.equals("503") || k.equals("504"));
            Map<String, Long> db = checkDatabase(created);
            awaitWatchesConverge(db, "after the rolling restart");
            report(
                    "after the rolling restart all %d watches hold the database's %d devices; reconnects per watch "
                            + "%d–%d; events sent twice: %d, resets: %d",
                    watches.size(),
                    db.size(),
                    watches.stream().mapToInt(w -> w.disconnects.get()).min().orElse(0),
                    watches.stream().mapToInt(w -> w.disconnects.get()).max().orElse(0),
                    watches.stream().mapToInt(w -> w.resentEvents.get()).sum(),
                    watches.stream().mapToInt(w -> w.resets.get()).sum());
        });
    }

    // ------------------------------------------------------------------------------------------------ checks

    /**
     * Every device a client was told about is committed with the address it was told, no address is held twice, and
     * the list through the balancer agrees; returns the VPC's devices as id → revision.
     */
    private Map<String, Long> checkDatabase(Collection<Device> told) throws Exception {
        Map<String, Long> revisions = new HashMap<>();
        Map<String, String> v4ById = new HashMap<>();
        List<String> v4 = new ArrayList<>();
        List<String> v6 = new ArrayList<>();
        try (Connection c = lab.database();
                PreparedStatement s = c.prepareStatement(
                        "SELECT id, revision, ipv4_tunnel_ips, ipv6_tunnel_ips FROM devices WHERE vpc_id = ? AND deleted_at IS NULL")) {
            s.setObject(1, vpc);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    revisions.put(id, rs.getLong(2));
                    v4ById.put(id, rs.getString(3));
                    v4.add(rs.getString(3));
                    v6.add(rs.getString(4));
                }
            }
        }
        assertThat(v4).as("no IPv4 tunnel address twice").doesNotHaveDuplicates();
        assertThat(v6).as("no IPv6 tunnel address twice").doesNotHaveDuplicates();
        for (Device d : told) {
            assertThat(revisions)
                    .as("a device a client registered is committed")
                    .containsKey(d.id().toString());
            assertThat(v4ById.get(d.id().toString()))
                    .as("with the address the client was told")
                    .contains(d.ipv4TunnelIps().getFirst().address());
        }
        long listed = admin.vpcs().devices(vpc, ListOptions.NONE).totalCount();
        assertThat(listed).as("the list through the balancer").isEqualTo(revisions.size());
        return revisions;
    }

    @Test
    @Order(4)
    void theReplicasRelaysMeshAndAClientWhoseReplicaDiesMovesToAnother() throws Exception {
        guarded(() -> {
            for (LoadBalancedReplicas.Replica r : lab.replicas()) {
                if (r.process == null) {
                    lab.startReplica(r.index);
                }
            }
            Set<Integer> derpPorts = new HashSet<>();
            lab.replicas().forEach(r -> derpPorts.add(r.derpPort));
            // every replica publishes the same region: one node per live replica, sorted by name
            long t0 = System.nanoTime();
            RelayRegion region = awaitRegion(derpPorts, Duration.ofSeconds(20));
            report(
                    "DERP region through the balancer lists all %d replicas' nodes %d ms after the restarts",
                    derpPorts.size(), ms(t0));
            List<String> names = region.nodes().stream().map(RelayNode::name).toList();
            assertThat(names).isSorted().doesNotHaveDuplicates();
            for (int i = 0; i < 6; i++) { // through the balancer: answered by different replicas, all the same
                assertThat(region(admin)).isEqualTo(region);
            }

            UUID otherVpc = admin.vpcs()
                    .create(new AddVpc(vpc, "derp-other", false, null, null))
                    .id();
            NodePrivateKey ka = NodePrivateKey.generate();
            NodePrivateKey kb = NodePrivateKey.generate();
            NodePrivateKey kx = NodePrivateKey.generate();
            admin.devices().create(relayDevice(vpc, ka, "derp-a"));
            admin.devices().create(relayDevice(vpc, kb, "derp-b"));
            admin.devices().create(relayDevice(otherVpc, kx, "derp-x"));
            Thread.sleep(1000); // each replica's relay reads the devices every 500 ms
            Inbox toA = new Inbox();
            Inbox toB = new Inbox();
            Inbox toX = new Inbox();
            try (DerpClient a = homedOn(region, lab.replica(0).derpPort, ka, toA);
                    DerpClient b = homedOn(region, lab.replica(1).derpPort, kb, toB);
                    DerpClient x = homedOn(region, lab.replica(2).derpPort, kx, toX)) {
                assertThat(a.awaitConnected(Duration.ofSeconds(10))).isTrue();
                assertThat(b.awaitConnected(Duration.ofSeconds(10))).isTrue();
                assertThat(x.awaitConnected(Duration.ofSeconds(10))).isTrue();
                assertThat(a.currentUrl().getPort()).isEqualTo(lab.replica(0).derpPort);
                assertThat(b.currentUrl().getPort()).isEqualTo(lab.replica(1).derpPort);

                // two devices of one VPC homed on different replicas relay to each other through the mesh
                long t1 = System.nanoTime();
                awaitDelivery(a, kb.publicKey(), toB, Duration.ofSeconds(10));
                awaitDelivery(b, ka.publicKey(), toA, Duration.ofSeconds(10));
                report("DERP: clients homed on replicas 0 and 1 exchange packets %d ms after connecting", ms(t1));

                // a device of another VPC, homed on a third replica: nothing passes, either way
                toA.clear();
                toX.clear();
                for (int i = 0; i < 20; i++) {
                    a.send(kx.publicKey(), new byte[] {9, (byte) i});
                    x.send(ka.publicKey(), new byte[] {9, (byte) i});
                    b.send(ka.publicKey(), new byte[] {7, (byte) i}); // the control: this one passes
                    Thread.sleep(25);
                }
                assertThat(toA.poll(Duration.ofSeconds(5)))
                        .as("the control packet arrives")
                        .isNotNull();
                Thread.sleep(500);
                assertThat(toX.packets)
                        .as("another VPC's device receives nothing")
                        .isEmpty();
                assertThat(toA.packets.stream().filter(p -> p.source().equals(kx.publicKey())))
                        .as("nor sends anything")
                        .isEmpty();

                // a steady stream A -> B while B's replica is killed: B moves to another node, packets flow again
                toB.clear();
                AtomicBoolean streaming = new AtomicBoolean(true);
                Thread sender = Thread.ofVirtual().start(() -> {
                    int seq = 0;
                    while (streaming.get()) {
                        a.send(
                                kb.publicKey(),
                                ByteBuffer.allocate(4).putInt(seq++).array());
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                try {
                    assertThat(toB.poll(Duration.ofSeconds(5))).isNotNull();
                    Thread.sleep(500);
                    long killedAt = System.nanoTime();
                    lab.kill(1);
                    long deadline = killedAt + TimeUnit.SECONDS.toNanos(20);
                    while (System.nanoTime() < deadline
                            && !(b.isConnected() && b.currentUrl().getPort() != lab.replica(1).derpPort)) {
                        Thread.sleep(10);
                    }
                    assertThat(b.currentUrl().getPort())
                            .as("B moved to another node of the region")
                            .isNotEqualTo(lab.replica(1).derpPort);
                    long movedAt = System.nanoTime();
                    while (System.nanoTime() < deadline && toB.lastArrivalNanos.get() <= movedAt) {
                        Thread.sleep(10);
                    }
                    assertThat(toB.lastArrivalNanos.get())
                            .as("packets reach B again on its new node")
                            .isGreaterThan(movedAt);
                    Thread.sleep(1000);
                    long gapMs = toB.longestGapMs();
                    report(
                            "DERP: kill -9 of the replica a client was homed on: it moved to %s, the longest time "
                                    + "without delivery of a 100 packets/s stream was %d ms",
                            b.currentUrl(), gapMs);
                    assertThat(gapMs).as("the delivery gap").isLessThan(5000);
                } finally {
                    streaming.set(false);
                    sender.join();
                }
                b.send(ka.publicKey(), new byte[] {1});
                awaitDelivery(b, ka.publicKey(), toA, Duration.ofSeconds(10));
            }

            // the dead replica's node leaves the region after the stale cutoff
            Set<Integer> live = new HashSet<>(derpPorts);
            live.remove(lab.replica(1).derpPort);
            long t2 = System.nanoTime();
            awaitRegion(live, Duration.ofSeconds(30));
            report("DERP region drops the killed replica's node %d ms after the kill check", ms(t2));
        });
    }

    private static AddDevice relayDevice(UUID vpc, NodePrivateKey key, String hostname) {
        return new AddDevice(
                vpc, key.publicKey().toBase64(), null, null, false, false, hostname, List.of(), "linux", null);
    }

    private static RelayRegion region(NexodusClient c) {
        return c.relays().list().regions().get("900");
    }

    /** Waits until region 900 (through the balancer) has exactly the nodes on {@code ports}. */
    private RelayRegion awaitRegion(Set<Integer> ports, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        RelayRegion r = null;
        while (System.nanoTime() < deadline) {
            try {
                r = region(admin);
                if (r != null
                        && r.nodes().stream()
                                .map(RelayNode::derpPort)
                                .collect(Collectors.toSet())
                                .equals(ports)
                        && r.nodes().size() == ports.size()) {
                    return r;
                }
            } catch (RuntimeException e) {
                // a replica just killed: the balancer retries, or the next round does
            }
            Thread.sleep(200);
        }
        throw new AssertionError("region 900 never had the nodes on ports " + ports + "; last: " + r);
    }

    /** A DERP client homed on the node at {@code port}, falling back to the region's other nodes in order. */
    private static DerpClient homedOn(RelayRegion region, int port, NodePrivateKey key, Inbox inbox) throws Exception {
        List<RelayNode> nodes = region.nodes();
        int home = 0;
        while (nodes.get(home).derpPort() != port) {
            home++;
        }
        List<DerpClientConfig> configs = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            RelayNode n = nodes.get((home + i) % nodes.size());
            configs.add(DerpClientConfig.builder(URI.create(n.url()), key)
                    .sslContext(TrustBundles.trusting(Pem.parseCertificates(n.caPem())))
                    .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                    .build());
        }
        return DerpClient.start(configs, inbox);
    }

    /** Sends until one packet from {@code from}'s key arrives in {@code inbox} (the mesh learns keys within moments). */
    private static void awaitDelivery(DerpClient from, NodePublicKey to, Inbox inbox, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            from.send(to, new byte[] {42});
            Inbox.Got g = inbox.poll(Duration.ofMillis(100));
            if (g != null && g.source().equals(from.publicKey())) {
                return;
            }
        }
        throw new AssertionError("no packet from " + from.publicKey() + " reached " + to);
    }

    /** What one DERP client received, with arrival times (for the delivery gap). */
    private static final class Inbox implements DerpClientListener {
        record Got(NodePublicKey source, long nanos) {}

        final LinkedBlockingQueue<Got> packets = new LinkedBlockingQueue<>();
        final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
        final AtomicLong lastArrivalNanos = new AtomicLong();

        @Override
        public void onPacket(NodePublicKey source, byte[] packet) {
            long now = System.nanoTime();
            packets.add(new Got(source, now));
            arrivals.add(now);
            lastArrivalNanos.set(now);
        }

        Got poll(Duration timeout) throws InterruptedException {
            return packets.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        void clear() {
            packets.clear();
            arrivals.clear();
        }

        long longestGapMs() {
            long longest = 0;
            long prev = -1;
            for (long t : arrivals) {
                if (prev >= 0) {
                    longest = Math.max(longest, t - prev);
                }
                prev = t;
            }
            return longest / 1_000_000;
        }
    }

    private void awaitWatchesConverge(Map<String, Long> db, String when) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> problems = List.of();
        while (System.nanoTime() < deadline) {
            problems = new ArrayList<>();
            for (int i = 0; i < watches.size(); i++) {
                RecordingWatch w = watches.get(i);
                List<String> d = w.differences(db);
                if (!d.isEmpty() || !w.isConnected()) {
                    problems.add("watch " + i + (w.isConnected() ? "" : " (not connected)") + ": "
                            + d.subList(0, Math.min(3, d.size()))
                            + (d.size() > 3 ? " and " + (d.size() - 3) + " more" : ""));
                }
            }
            if (problems.isEmpty()) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(problems)
                .as("watches that differ from the database %s", when)
                .isEmpty();
        assertThat(watches.stream().mapToInt(w -> w.resets.get()).sum())
                .as("resets (a resume taken for lost history)")
                .isZero();
        assertThat(watches.stream().mapToInt(w -> w.resentEvents.get()).sum())
                .as("events sent twice after a resume")
                .isZero();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private AddDevice device(String hostname) {
        return new AddDevice(vpc, Keys.generate().publicKey(), null, null, false, false, hostname, null, "linux", null);
    }

    /** The replica holding {@code n} watch streams (read from each replica's own metrics). */
    private int replicaWithStreams(int n) throws Exception {
        for (int i = 0; i < lab.replicas().size(); i++) {
            if (lab.metric(i, "nexodus_watch_streams") == n) {
                return i;
            }
        }
        throw new AssertionError("no replica holds " + n + " watch streams: " + streamsPerReplica());
    }

    private List<Integer> streamsPerReplica() throws Exception {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < lab.replicas().size(); i++) {
            out.add((int) lab.metric(i, "nexodus_watch_streams"));
        }
        return out;
    }

    /** The replica (upstream address) that answered the request whose access log line starts with {@code prefix}. */
    private String upstreamOf(String prefix) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            for (String line : lab.accessLog()) {
                if (line.startsWith(prefix)) {
                    String ups = line.split("\\|", -1)[3];
                    return ups.substring(ups.lastIndexOf(' ') + 1);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no access log line " + prefix);
    }

    /** Requests nginx passed to another replica itself after the first failed (two upstreams in the log line). */
    private long passedOnByNginx() throws Exception {
        return lab.accessLog().stream()
                .filter(l -> l.split("\\|", -1)[3].contains(","))
                .count();
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @FormatMethod
    private void report(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        report.add(line);
        System.out.println("replicas-lb: " + line);
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs a phase; a failure carries the tail of every process's log. */
    private void guarded(Body body) throws Exception {
        try {
            body.run();
        } catch (AssertionError | Exception e) {
            throw new AssertionError(e.getMessage() + "\n" + lab.logs(), e);
        }
    }
}
