package io.nexodus.e2e.scenario;

import static io.nexodus.e2e.lab.StandardLab.EASY_A;
import static io.nexodus.e2e.lab.StandardLab.FW;
import static io.nexodus.e2e.lab.StandardLab.FW_A;
import static io.nexodus.e2e.lab.StandardLab.PUB_A;
import static io.nexodus.e2e.lab.StandardLab.PUB_B;
import static io.nexodus.e2e.scenario.ScenarioLab.await;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitRunning;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.api.nexdctl.PeeringMethod;
import io.nexodus.api.nexdctl.RelayKind;
import io.nexodus.e2e.lab.NatGateway;
import io.nexodus.testkit.NginxBalancer;
import io.nexodus.testkit.Postgres;
import io.nexodus.testkit.RequiresNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service as production runs it, under faults, with real agents: three replicas on one PostgreSQL behind nginx
 * ({@link LabService#startReplicated}) on the lab's service host, agents on a public host and behind an easy NAT that
 * know only the balancer's URL. While a ping runs through their tunnel every 50 ms, one replica is killed
 * ({@code kill -9}), a third agent registers and joins while it is down, the replica comes back, and then every
 * replica is restarted in turn (SIGTERM, start, ready) as a rolling upgrade does. The tunnels must not notice: the data
 * plane does not go through the service, and the agents' watch streams and requests move to the live replicas
 * through the balancer. No agent registers again (the device ids stay), the late agent reaches the others, and the
 * longest gap between ping replies is reported (line {@code replicated-lab:}) and bounded.
 *
 * <p>The replicas run their public DERP relays meshed, each on 443 of its own address (see {@link LabService}); two
 * agents that can meet only through DERP, homed on different replicas' relays, keep a ping going while the replica
 * carrying one of them is killed: that agent moves to another node of the region and the traffic crosses the mesh
 * again (line {@code replicated-derp:}).
 */
@RequiresNetns(commands = {"nft", "conntrack", "unshare", "wg", "ping", "runuser"})
class ReplicatedServiceScenariosIT {
    private static final Path LOGS = Path.of("target", "natlab", ReplicatedServiceScenariosIT.class.getSimpleName());
    /** Far above one lost ping (50 ms apart), far below a tunnel that had to be set up again (seconds). */
    private static final Duration MAX_GAP = Duration.ofSeconds(1);
    /**
     * A DERP client whose relay died: the lost connection is retried once on the same node (refused at once), then
     * the next node is dialled (backoff with full jitter, 250 ms doubling), TLS and the DERP handshake; measured
     * 0.5-1.5 s. Far below WireGuard giving up on its session (its keys are still valid, so nothing else is redone).
     */
    private static final Duration MAX_DERP_FAILOVER_GAP = Duration.ofSeconds(5);

    private static final String[] FAST = {"--peer-up-timeout", "4s", "--peer-down-timeout", "4s", "--keepalive", "1s"};

    private static ScenarioLab env;

    @BeforeAll
    static void startLabAndReplicas() {
        assertThat(Postgres.available() && NginxBalancer.available())
                .as("PostgreSQL and nginx installed (apt-get install postgresql nginx)")
                .isTrue();
        env = ScenarioLab.start(LOGS, 7600, 3);
    }

    @AfterEach
    void stopAgents() {
        env.stopAgents(); // no network reset: the replicas' relays listen on addresses a reset takes away
    }

    @AfterAll
    static void closeAll() {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void tunnelsKeepPassingTrafficWhileReplicasCrashAndRestartOneByOne() {
        LabService service = env.service;
        Vpc vpc = env.newVpcRecord("replicas");
        String rk = env.regKey(vpc, "replicas");
        LabAgent a = env.agent(PUB_A, rk);
        LabAgent b = env.agent(EASY_A, rk);
        awaitRunning(a, b);
        env.assertTransfer(a, b);
        Set<UUID> before = deviceIds(vpc);
        assertThat(before).hasSize(2);

        Instant start = Instant.now();
        try (PingProbe probe = PingProbe.start(a.host(), b.tunnelIp())) {
            assertThat(probe.firstReplyAfter(start, Duration.ofSeconds(5)))
                    .as("a ping reply")
                    .isPresent();
            Instant from = Instant.now();

            long t0 = System.nanoTime();
            service.killReplica(1);
            LabAgent c = env.agent(PUB_B, rk);
            awaitRunning(c);
            awaitTrue(Duration.ofSeconds(30), c + " reaches " + a + " and " + b, () -> reaches(c, a) && reaches(c, b));
            long joinedMs = (System.nanoTime() - t0) / 1_000_000;
            service.startReplica(1);

            long rolling = System.nanoTime();
            for (int i = 0; i < service.replicaCount(); i++) {
                service.stopReplica(i);
                service.startReplica(i);
            }
            long rollingMs = (System.nanoTime() - rolling) / 1_000_000;
            Instant to = Instant.now();

            env.assertTransfer(b, a);
            env.assertTransfer(a, c);
            List<Instant> replies = probe.replies().stream()
                    .filter(t -> !t.isBefore(from) && !t.isAfter(to))
                    .toList();
            Duration longest = Duration.ZERO;
            for (int i = 1; i < replies.size(); i++) {
                Duration gap = Duration.between(replies.get(i - 1), replies.get(i));
                if (gap.compareTo(longest) > 0) {
                    longest = gap;
                }
            }
            long expected = Duration.between(from, to).toMillis() / 50;
            System.out.printf(
                    "replicated-lab: %d ping replies of ~%d over %d ms (kill -9 of a replica, a device joining while it"
                            + " was down in %d ms, a rolling restart of 3 replicas in %d ms); longest gap %d ms%n",
                    replies.size(),
                    expected,
                    Duration.between(from, to).toMillis(),
                    joinedMs,
                    rollingMs,
                    longest.toMillis());
            assertThat(longest).as("longest gap between ping replies").isLessThan(MAX_GAP);
            assertThat(replies.size()).as("ping replies").isGreaterThan((int) (expected * 0.9));
        }
        Set<UUID> after = deviceIds(vpc);
        assertThat(after).as("no agent registered again").containsAll(before).hasSize(3);
    }

    /**
     * fw-a may only open TCP to port 443 (no UDP at all), so it and pub-a meet only through the public DERP relays.
     * fw-a's network cannot reach the region's first node (its gateway refuses that one address), so fw-a's agent
     * homes on the second node while pub-a's homes on the first: every packet between them crosses the relays' mesh.
     * While pub-a pings fw-a every 50 ms, the replica of fw-a's node is killed ({@code kill -9}): fw-a's agent moves to
     * the third node, the traffic crosses the mesh from the first to the third, and the longest time without a reply
     * is bounded. Then the replica starts again (same data dir, so its node comes back under the same name): nothing
     * breaks, and the agents stay where they are (a client does not move back to a node that returns).
     */
    @Test
    void agentsRelayingThroughTheReplicasMeshedDerpRelaysMoveOnWhenTheirReplicaDies() throws Exception {
        LabService service = env.service;
        List<RelayNode> nodes = awaitRegion(service.replicaCount());
        List<Integer> replicaOf =
                nodes.stream().map(n -> service.replicaOfDerpAddress(n.ipv4())).toList();
        assertThat(replicaOf).as("every node is a replica's relay").doesNotContain(-1);
        assertThat(nodes)
                .as("one name, each node dialled at its own address")
                .extracting(RelayNode::hostName, RelayNode::derpPort)
                .containsOnly(tuple(LabService.HOST_NAME, LabService.DERP_PORT));
        String first = nodes.get(0).ipv4();
        String second = nodes.get(1).ipv4();
        String third = nodes.get(2).ipv4();

        NatGateway fw = env.lab.gateway(FW);
        fw.admitTcp(service.host().address(), LabService.PORT); // the API's 8443 (a real deployment serves it on 443)
        fw.refuseTcp(first, LabService.DERP_PORT);
        Vpc vpc = env.newVpcRecord("replicas-derp");
        String rk = env.regKey(vpc, "replicas-derp");
        LabAgent p = env.agent(PUB_A, rk, FAST);
        LabAgent f = env.agent(FW_A, rk, FAST);
        awaitRunning(p, f);
        awaitViaPublicDerp(p, f);
        awaitViaPublicDerp(f, p);
        String pubAddress = p.host().address();
        String fwAddress = fw.publicAddress();
        try {
            awaitTrue(
                    Duration.ofSeconds(20),
                    "pub-a on the first node, fw-a on the second (" + first + ", " + second + ")",
                    () -> derpNodesOf(pubAddress).equals(Set.of(first))
                            && derpNodesOf(fwAddress).equals(Set.of(second)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; connections to the relays:\n" + derpConnections(), e);
        }
        env.assertTransfer(p, f);

        try (PingProbe probe = PingProbe.start(p.host(), f.tunnelIp())) {
            Instant start = Instant.now();
            assertThat(probe.firstReplyAfter(start, Duration.ofSeconds(10)))
                    .as("a ping reply through the mesh")
                    .isPresent();
            Thread.sleep(1000);

            int victim = replicaOf.get(1);
            Instant killed = Instant.now();
            service.killReplica(victim);
            assertThat(probe.firstReplyAfter(killed.plusSeconds(1), Duration.ofSeconds(30)))
                    .as("ping replies after the kill")
                    .isPresent();
            awaitTrue(
                    Duration.ofSeconds(10),
                    "fw-a's agent on the third node",
                    () -> derpNodesOf(fwAddress).equals(Set.of(third)));
            Thread.sleep(3000);
            Instant restarting = Instant.now();
            Gap failover = longestGap(probe.replies(), killed.minusSeconds(1), restarting);

            service.startReplica(victim);
            long readyMs = Duration.between(restarting, Instant.now()).toMillis();
            List<RelayNode> back = awaitRegion(service.replicaCount());
            assertThat(back)
                    .extracting(RelayNode::name)
                    .as("the node comes back under its name")
                    .isEqualTo(nodes.stream().map(RelayNode::name).toList());
            Thread.sleep(3000); // the returning relay meshes with the others while the ping goes on
            Instant to = Instant.now();
            Duration restartGap = longestGap(probe.replies(), restarting, to).length();
            List<Instant> replies = probe.replies().stream()
                    .filter(t -> !t.isBefore(killed) && !t.isAfter(to))
                    .toList();
            long expected = Duration.between(killed, to).toMillis() / 50;
            System.out.printf(
                    "replicated-derp: kill -9 of the replica whose DERP node carried fw-a: longest gap %d ms (from %+d ms"
                            + " to %+d ms around the kill); its restart (ready after %d ms) and"
                            + " %d s after: longest gap %d ms; %d ping replies of ~%d; load %s%n",
                    failover.length().toMillis(),
                    Duration.between(killed, failover.from()).toMillis(),
                    Duration.between(killed, failover.to()).toMillis(),
                    readyMs,
                    3,
                    restartGap.toMillis(),
                    replies.size(),
                    expected,
                    loadAverage());
            assertThat(failover.length()).as("longest gap around the kill").isLessThan(MAX_DERP_FAILOVER_GAP);
            assertThat(restartGap).as("longest gap while the replica came back").isLessThan(MAX_GAP);
            assertThat(replies.size()).as("ping replies").isGreaterThan((int) (expected * 0.8));
        }
        assertThat(derpNodesOf(fwAddress))
                .as("fw-a stays on the node that works")
                .isEqualTo(Set.of(third));
        assertThat(derpNodesOf(pubAddress)).as("pub-a never moved").isEqualTo(Set.of(first));
        env.assertTransfer(f, p);
        env.assertTransfer(p, f);
    }

    /** The public region once it lists {@code n} nodes (the replicas' heartbeats are 2 s apart). */
    private static List<RelayNode> awaitRegion(int n) {
        return await(Duration.ofSeconds(30), "a DERP region of " + n + " nodes", () -> {
            RelayRegion r = env.service.admin().relays().list().regions().get("900");
            return r != null && r.nodes().size() == n ? Optional.of(r.nodes()) : Optional.empty();
        });
    }

    /**
     * The addresses of the DERP relays a client at {@code peer} (its public address) has a TCP connection to now,
     * as the service host's kernel sees them: which replica's relay carries that agent.
     */
    private static Set<String> derpNodesOf(String peer) {
        String out = derpConnections();
        Set<String> local = new HashSet<>();
        for (String line : out.lines().toList()) {
            String[] f = line.trim().split("\\s+", -1);
            if (f.length >= 2 && hostOf(f[f.length - 1]).equals(peer)) {
                local.add(hostOf(f[f.length - 2]));
            }
        }
        return local;
    }

    /** {@code ss}: the established TCP connections to the relays' port on the service host. */
    private static String derpConnections() {
        return env.service
                .host()
                .exec("ss", "-Htn", "state", "established", "( sport = :" + LabService.DERP_PORT + " )")
                .stdout();
    }

    /** The address of an {@code ss} endpoint: {@code 1.2.3.4:443}, or {@code [::ffff:1.2.3.4]:443} (a JVM's socket). */
    private static String hostOf(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        String h = colon < 0 ? endpoint : endpoint.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.startsWith("::ffff:") ? h.substring("::ffff:".length()) : h;
    }

    /**
     * {@code viewer} reports {@code peer} healthy on {@code via-derp-relay} through the public relay, and its interface
     * has the peer at a loopback endpoint (the proxy's socket) with a completed handshake.
     */
    private static void awaitViaPublicDerp(LabAgent viewer, LabAgent peer) {
        awaitTrue(Duration.ofSeconds(45), viewer + " reaches " + peer + " through the public DERP relay", () -> {
            PeerStatus s = viewer.peer(peer).orElse(null);
            if (s == null
                    || !PeeringMethod.VIA_DERP_RELAY.equals(s.method())
                    || !RelayKind.PUBLIC_DERP.equals(s.relay())
                    || !s.healthy()) {
                return false;
            }
            WgPeer w = viewer.wgPeers().get(peer.publicKey());
            return w != null && w.endpoint().startsWith("127.") && w.lastHandshake() != null;
        });
    }

    /** The span between two consecutive ping replies. */
    private record Gap(Instant from, Instant to) {
        Duration length() {
            return Duration.between(from, to);
        }
    }

    /** The longest span between consecutive replies within [{@code from}, {@code to}]. */
    private static Gap longestGap(List<Instant> replies, Instant from, Instant to) {
        Gap longest = new Gap(from, from);
        Instant prev = null;
        for (Instant t : replies) {
            if (t.isBefore(from) || t.isAfter(to)) {
                continue;
            }
            if (prev != null && Duration.between(prev, t).compareTo(longest.length()) > 0) {
                longest = new Gap(prev, t);
            }
            prev = t;
        }
        return longest;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static boolean reaches(LabAgent from, LabAgent to) {
        return from.host()
                .transfer(to.tunnelIp(), env.sink(to), ScenarioLab.MIB, Duration.ofSeconds(10))
                .ok();
    }

    private static Set<UUID> deviceIds(Vpc vpc) {
        return env.service.admin().vpcs().devices(vpc.id(), ListOptions.NONE).items().stream()
                .map(Device::id)
                .collect(Collectors.toSet());
    }
}
