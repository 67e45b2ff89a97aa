package io.nexodus.nexd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.nexd.endpoint.PortPrediction;
import io.nexodus.nexd.peering.PeerInfo;
import io.nexodus.nexd.peering.PeerPath;
import io.nexodus.nexd.peering.PeeringMethod;
import io.nexodus.nexd.peering.PeeringTimeouts;
import io.nexodus.nexd.peering.SelfInfo;
import io.nexodus.nexd.wg.JavaBackend;
import io.nexodus.wireguard.tun.MemoryTun;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against real WireGuard devices of the {@code wireguard} module (in memory: no kernel interface, UDP on
 * loopback): handshakes, failover to a relay and back, all with the real protocol. The relay forwards in process: what
 * its device decrypts is written back to it, as the kernel's forwarding would.
 */
class ReconcilerTest {
    // up timeout 7 s: both devices get their peer in the same tick, so their first initiations can cross; each then
    // drops the other's response (as wireguard-go does) and WireGuard retries after REKEY_TIMEOUT (5 s + jitter)
    private static final PeeringTimeouts FAST = new PeeringTimeouts(
            Duration.ofSeconds(1),
            Duration.ofSeconds(7),
            Duration.ofSeconds(4),
            Duration.ofSeconds(1),
            Duration.ofMillis(700),
            Duration.ofMinutes(3),
            List.of(Duration.ofMillis(300)));
    private static final List<String> VPC = List.of("100.64.0.0/10", "200::/64");

    private final List<AutoCloseable> closeMe = new ArrayList<>();
    private Node a;
    private Node b;
    private Node r;
    private volatile boolean forwarding = true;

    private record Node(String name, String tunnelIp, JavaBackend wg, Reconciler rec) {
        String key() {
            return wg.publicKey();
        }

        int port() {
            return wg.listenPort();
        }

        MemoryTun tun() {
            return (MemoryTun) wg.device().tun();
        }
    }

    private Node node(String name, String tunnelIp) throws Exception {
        JavaBackend wg =
                JavaBackend.inMemory(name, NodePrivateKey.generate().toBase64(), InetAddress.getLoopbackAddress());
        closeMe.add(wg);
        return new Node(name, tunnelIp, wg, new Reconciler(wg, null, FAST, Clock.systemUTC()));
    }

    private static InetSocketAddress loop(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    private static PeerInfo info(Node n, int reachableAtPort, boolean relay) {
        return new PeerInfo(
                n.key(),
                UUID.nameUUIDFromBytes(n.name().getBytes(StandardCharsets.UTF_8)),
                n.name(),
                relay,
                relay ? Optional.of("wireguard") : Optional.empty(),
                false,
                Optional.of(loop(reachableAtPort)),
                Optional.of(loop(reachableAtPort)),
                List.of(n.tunnelIp()),
                List.of(n.tunnelIp() + "/32"),
                List.of());
    }

    private static SelfInfo self(Node n, boolean relay) {
        return new SelfInfo(n.key(), relay, false, false, Optional.of(InetAddress.getLoopbackAddress()), VPC, false);
    }

    @BeforeEach
    void setUp() throws Exception {
        a = node("a", "100.64.0.1");
        b = node("b", "100.64.0.2");
        r = node("r", "100.64.0.3");
        Thread fwd = Thread.ofPlatform().daemon(true).start(() -> {
            while (forwarding) {
                try {
                    byte[] p = r.tun().poll(50);
                    if (p != null && !Ipv4Packets.destination(p).equals(r.tunnelIp())) {
                        r.tun().inject(p);
                    }
                } catch (Exception e) {
                    return;
                }
            }
        });
        closeMe.add(() -> {
            forwarding = false;
            fwd.join(1000);
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeMe.reversed()) {
            c.close();
        }
    }

    private void tickAllUntil(BooleanSupplier done, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            for (Node n : List.of(a, b, r)) {
                n.rec().tick();
            }
            if (done.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not reached within " + max + ": a=" + a.rec().peers() + " b="
                + b.rec().peers());
    }

    private Optional<PeerView> view(Node viewer, Node peer) {
        return viewer.rec().peers().stream()
                .filter(v -> v.publicKey().equals(peer.key()))
                .findFirst();
    }

    private boolean uses(Node viewer, Node peer, PeeringMethod m) {
        return view(viewer, peer).map(v -> v.method() == m && v.healthy()).orElse(false);
    }

    /** Sends a packet from {@code from}'s tunnel to {@code to}'s tunnel IP until it arrives (or fails after 5 s). */
    private void assertDelivered(Node from, Node to) throws Exception {
        String marker = "hello " + UUID.randomUUID();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            from.tun().inject(Ipv4Packets.udp(from.tunnelIp(), to.tunnelIp(), marker.getBytes(StandardCharsets.UTF_8)));
            byte[] got;
            long until = System.nanoTime() + Duration.ofMillis(200).toNanos();
            while ((got = to.tun().poll(Math.max(1, (until - System.nanoTime()) / 1_000_000))) != null) {
                if (Ipv4Packets.payload(got).equals(marker)) {
                    return;
                }
            }
            for (Node n : List.of(a, b, r)) {
                n.rec().tick();
            }
        }
        throw new AssertionError(from.name() + " -> " + to.name() + " not delivered");
    }

    @Test
    void peersOnOneLanGoDirectAndPassTraffic() throws Exception {
        a.rec().update(self(a, false), List.of(info(b, b.port(), false)));
        b.rec().update(self(b, false), List.of(info(a, a.port(), false)));
        tickAllUntil(
                () -> uses(a, b, PeeringMethod.DIRECT_LOCAL) && uses(b, a, PeeringMethod.DIRECT_LOCAL),
                Duration.ofSeconds(12));
        assertDelivered(a, b);
        assertDelivered(b, a);
        PeerView v = view(a, b).orElseThrow();
        assertThat(v.endpoint()).isEqualTo("127.0.0.1:" + b.port());
        assertThat(v.allowedIps()).containsExactly("100.64.0.2/32");
        assertThat(v.lastHandshake()).isNotNull();
        assertThat(v.tunnelIps()).containsExactly("100.64.0.2");
        assertThat(v.state()).isEqualTo(PeerPath.State.UP);
    }

    @Test
    void aBrokenDirectPathFailsOverToTheRelayAndComesBackWhenItHeals() throws Exception {
        int dead = deadPort();
        // a and b see each other at an address that goes nowhere; both see the relay for real
        r.rec().update(self(r, true), List.of(info(a, a.port(), false), info(b, b.port(), false)));
        a.rec().update(self(a, false), List.of(info(b, dead, false), info(r, r.port(), true)));
        b.rec().update(self(b, false), List.of(info(a, dead, false), info(r, r.port(), true)));
        tickAllUntil(
                () -> uses(a, b, PeeringMethod.VIA_RELAY) && uses(b, a, PeeringMethod.VIA_RELAY),
                Duration.ofSeconds(20));
        // all on one host (same reflexive IP), so the LAN method is tried first; on a loaded machine its handshake
        // may time out, and the next method (the relay's reflexive address) is the same relay, so either is right
        assertThat(view(a, r).orElseThrow().method())
                .isIn(PeeringMethod.RELAY_NODE_PEER_DIRECT_LOCAL, PeeringMethod.RELAY_NODE_PEER);
        assertThat(view(a, r).orElseThrow().allowedIps()).contains("100.64.0.0/10", "200::/64");
        assertThat(view(a, b).orElseThrow().relay()).isEqualTo(PeerView.WIREGUARD_RELAY);
        assertThat(view(a, b).orElseThrow().reason()).contains("failed");
        assertThat(view(r, a).orElseThrow().method())
                .isIn(PeeringMethod.RELAY_NODE_SELF_DIRECT_LOCAL, PeeringMethod.RELAY_NODE_SELF);
        assertDelivered(a, b);
        assertDelivered(b, a);

        // the path heals (the peers' real addresses become known): back to direct
        a.rec().update(self(a, false), List.of(info(b, b.port(), false), info(r, r.port(), true)));
        b.rec().update(self(b, false), List.of(info(a, a.port(), false), info(r, r.port(), true)));
        tickAllUntil(() -> direct(a, b) && direct(b, a), Duration.ofSeconds(25));
        assertDelivered(a, b);
    }

    /** Healthy on a direct method (on a loaded machine the LAN method may time out first; the next is direct too). */
    private boolean direct(Node viewer, Node peer) {
        return view(viewer, peer)
                .map(v -> v.method() != null && v.method().isDirect() && v.healthy())
                .orElse(false);
    }

    @Test
    void aPeerThatLeavesIsRemoved() throws Exception {
        a.rec().update(self(a, false), List.of(info(b, b.port(), false)));
        assertThat(a.wg().peers()).containsKey(b.key());
        a.rec().update(self(a, false), List.of());
        assertThat(a.wg().peers()).isEmpty();
        assertThat(a.rec().peers()).isEmpty();
    }

    @Test
    void aSymmetricPeerCallsAPublicOneWhichLearnsItsAddressFromItsPackets() throws Exception {
        // a has a public address (its local endpoint is its reflexive one); b is behind a symmetric NAT with STUN
        // answers, so a cannot know b's mapping towards it: a waits, b sends, a's WireGuard learns where from
        SelfInfo aSelf = new SelfInfo(
                a.key(), false, false, false, Optional.of(InetAddress.getByName("203.0.113.40")), VPC, false);
        SelfInfo bSelf = new SelfInfo(
                b.key(), false, true, false, Optional.of(InetAddress.getByName("198.51.100.21")), VPC, false);
        PeerInfo bSeen = new PeerInfo(
                b.key(),
                UUID.randomUUID(),
                "b",
                false,
                Optional.empty(),
                true,
                Optional.of(new InetSocketAddress("192.168.21.10", b.port())),
                Optional.of(new InetSocketAddress("198.51.100.21", 4444)),
                List.of(b.tunnelIp()),
                List.of(b.tunnelIp() + "/32"),
                List.of());
        a.rec().update(aSelf, List.of(bSeen));
        b.rec().update(bSelf, List.of(info(a, a.port(), false)));
        assertThat(a.rec().relayRequired()).isFalse();
        tickAllUntil(
                () -> uses(a, b, PeeringMethod.PEER_REFLEXIVE) && uses(b, a, PeeringMethod.PEER_REFLEXIVE),
                Duration.ofSeconds(12));
        assertThat(view(a, b).orElseThrow().endpoint())
                .as("learned from b's packets")
                .isEqualTo("127.0.0.1:" + b.port());
        assertThat(view(b, a).orElseThrow().endpoint()).isEqualTo("127.0.0.1:" + a.port());
        assertDelivered(a, b);
        assertDelivered(b, a);
    }

    @Test
    void aPeerWhoseNatHandsOutPortsInTurnIsProbedFromTheWireGuardPort() throws Exception {
        // b's NAT answered STUN with two close ports; the next ones follow them. a (behind an easy NAT) waits for b's
        // packets and sends one small datagram to each port of the window, from its WireGuard port, so that its NAT
        // would let b's handshake in. Here the "NAT" is loopback: a socket listens on the first predicted port.
        try (DatagramSocket predicted = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            predicted.setSoTimeout(3000);
            int q = predicted.getLocalPort();
            Optional<PortPrediction> prediction = PortPrediction.from(loop(q - 2), loop(q - 1));
            assertThat(prediction).isPresent();
            PeerInfo bSeen = new PeerInfo(
                    b.key(),
                    UUID.randomUUID(),
                    "b",
                    false,
                    Optional.empty(),
                    true,
                    Optional.of(new InetSocketAddress("192.168.22.10", b.port())),
                    Optional.of(loop(q - 2)),
                    List.of(b.tunnelIp()),
                    List.of(b.tunnelIp() + "/32"),
                    List.of(),
                    Optional.empty(),
                    false,
                    prediction);
            SelfInfo easy = new SelfInfo(
                    a.key(), false, false, false, Optional.of(InetAddress.getByName("198.51.100.11")), VPC, false);
            a.rec().update(easy, List.of(bSeen));
            assertThat(a.rec().peers().getFirst().options()).contains(PeeringMethod.PEER_REFLEXIVE.wireName());
            a.rec().tick();
            DatagramPacket got = new DatagramPacket(new byte[64], 64);
            predicted.receive(got);
            assertThat(got.getPort()).as("sent from the WireGuard port").isEqualTo(a.port());
            assertThat(got.getLength()).isEqualTo(1);
            assertThat(a.rec().peers().getFirst().pathNote())
                    .contains("port prediction: 32 probes so far to 127.0.0.1:" + q + "-" + (q + 31));
            a.rec().tick();
            predicted.setSoTimeout(300);
            assertThat(receivesWithin(predicted))
                    .as("not again within the second")
                    .isFalse();
        }
    }

    private static boolean receivesWithin(DatagramSocket s) throws Exception {
        try {
            s.receive(new DatagramPacket(new byte[64], 64));
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    @Test
    void aSymmetricPeerWithoutStunAnswersAndWithoutARelayHasNoPath() throws Exception {
        PeerInfo sym = new PeerInfo(
                b.key(),
                UUID.randomUUID(),
                "b",
                false,
                Optional.empty(),
                true,
                Optional.of(loop(b.port())),
                Optional.empty(),
                List.of(b.tunnelIp()),
                List.of(b.tunnelIp() + "/32"),
                List.of());
        SelfInfo elsewhere = new SelfInfo(
                a.key(), false, false, false, Optional.of(InetAddress.getByName("203.0.113.40")), VPC, false);
        a.rec().update(elsewhere, List.of(sym));
        assertThat(a.rec().relayRequired()).isTrue();
        assertThat(a.rec().relayPresent()).isFalse();
        assertThat(view(a, b).orElseThrow().state()).isEqualTo(PeerPath.State.NO_PATH);
        assertThat(a.wg().peers()).isEmpty();
    }

    private static int deadPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed after this: nothing listens there
        }
    }
}
