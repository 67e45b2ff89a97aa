package io.nexodus.server.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.model.RelayNode;
import io.nexodus.derp.server.MeshPeer;
import io.nexodus.testkit.ManualClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class RelayMeshTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Table table = new Table();
    private final Recorder links = new Recorder();

    /** The shared table as a map (what several replicas' rows look like to one of them). */
    private static final class Table implements NodeTable {
        final Map<String, RegisteredNode> rows = new LinkedHashMap<>();
        final List<Instant> forgets = new ArrayList<>();

        @Override
        public void heartbeat(RegisteredNode self) {
            rows.put(self.node().name(), self);
        }

        @Override
        public List<RegisteredNode> list() {
            return List.copyOf(rows.values());
        }

        @Override
        public void remove(String name) {
            rows.remove(name);
        }

        @Override
        public void forgetOlderThan(Instant cutoff) {
            forgets.add(cutoff);
            rows.values().removeIf(n -> n.lastSeen().isBefore(cutoff));
        }
    }

    private static final class Recorder implements RelayMesh.Links {
        final Set<MeshPeer> peers = new HashSet<>();
        final List<MeshPeer> added = new ArrayList<>();

        @Override
        public Set<MeshPeer> peers() {
            return Set.copyOf(peers);
        }

        @Override
        public void add(MeshPeer peer, Optional<SSLContext> trust) {
            peers.add(peer);
            added.add(peer);
        }

        @Override
        public void remove(MeshPeer peer) {
            peers.remove(peer);
        }
    }

    private static RegisteredNode node(String name, String key, int port, Instant seen) {
        return new RegisteredNode(
                new RelayNode(
                        name,
                        EmbeddedDerpRelay.REGION_ID,
                        "relay.example",
                        "10.0.0." + (port - 8000),
                        null,
                        port,
                        3478,
                        EmbeddedDerpRelay.url(true, "relay.example", port),
                        false,
                        null),
                key,
                seen);
    }

    private static List<String> names(RelayMesh m) {
        return m.region().nodes().stream().map(RelayNode::name).toList();
    }

    @Test
    void everyReplicaPublishesTheLiveNodesInTheSameOrderAndMeshesWithTheOthers() {
        RegisteredNode b = node("900nex-bbbb", "key-b", 8002, clock.instant());
        RegisteredNode c = node("900nex-cccc", "key-c", 8003, clock.instant());
        table.heartbeat(c);
        table.heartbeat(b);
        RelayMesh a = new RelayMesh(node("900nex-aaaa", "key-a", 8001, clock.instant()), table, links, clock, Set.of());
        assertThat(names(a)).as("before the first heartbeat: itself").containsExactly("900nex-aaaa");

        a.tick();
        assertThat(names(a)).containsExactly("900nex-aaaa", "900nex-bbbb", "900nex-cccc");
        assertThat(a.region().regionId()).isEqualTo(900);
        assertThat(a.region().builtIn()).isTrue();
        assertThat(table.rows).containsKey("900nex-aaaa");
        assertThat(links.peers).containsExactlyInAnyOrder(RelayMesh.peerOf(b.node()), RelayMesh.peerOf(c.node()));
        assertThat(links.added)
                .as("dialled at the published IP")
                .extracting(p -> p.dialAddress().orElseThrow())
                .contains(new InetSocketAddress("10.0.0.2", 8002));

        // another replica sees the same list in the same order
        RelayMesh seenByC = new RelayMesh(c, table, new Recorder(), clock, Set.of());
        seenByC.tick();
        assertThat(names(seenByC)).isEqualTo(names(a));
    }

    /**
     * Replicas behind one shared name ({@code --derp-hostname} the balancer's, {@code --derp-advertise} each one's own
     * IP) publish the same URL and differ only in the address: each is a mesh peer of its own, and a node that comes
     * back at another address (a pod with a new IP, same data) is meshed with there and dropped at the old one.
     */
    @Test
    void replicasBehindOneNameAreMeshedWithEachAtItsOwnAddress() {
        RegisteredNode b = sharedName("900nex-bbbb", "key-b", "10.0.0.2");
        RegisteredNode c = sharedName("900nex-cccc", "key-c", "10.0.0.3");
        table.heartbeat(b);
        table.heartbeat(c);
        RelayMesh a = new RelayMesh(sharedName("900nex-aaaa", "key-a", "10.0.0.1"), table, links, clock, Set.of());
        a.tick();
        assertThat(links.peers)
                .extracting(p -> p.dialAddress().orElseThrow())
                .containsExactlyInAnyOrder(
                        new InetSocketAddress("10.0.0.2", 443), new InetSocketAddress("10.0.0.3", 443));
        assertThat(links.peers).extracting(MeshPeer::url).containsOnly(URI.create("https://relay.example:443/derp"));

        table.heartbeat(sharedName("900nex-cccc", "key-c", "10.0.0.9"));
        a.tick();
        assertThat(links.peers)
                .extracting(p -> p.dialAddress().orElseThrow())
                .containsExactlyInAnyOrder(
                        new InetSocketAddress("10.0.0.2", 443), new InetSocketAddress("10.0.0.9", 443));
    }

    private RegisteredNode sharedName(String name, String key, String ip) {
        return new RegisteredNode(
                new RelayNode(
                        name,
                        EmbeddedDerpRelay.REGION_ID,
                        "relay.example",
                        ip,
                        null,
                        443,
                        3478,
                        EmbeddedDerpRelay.url(true, "relay.example", 443),
                        false,
                        null),
                key,
                clock.instant());
    }

    @Test
    void aNodeNotRefreshedWithinTheCutoffIsDroppedAndAReturningOneComesBack() {
        RelayMesh a = new RelayMesh(node("900nex-aaaa", "key-a", 8001, clock.instant()), table, links, clock, Set.of());
        table.heartbeat(node("900nex-bbbb", "key-b", 8002, clock.instant()));
        a.tick();
        assertThat(names(a)).containsExactly("900nex-aaaa", "900nex-bbbb");

        clock.advance(RelayMesh.STALE);
        a.tick();
        assertThat(names(a)).as("exactly at the cutoff: still live").contains("900nex-bbbb");

        clock.advance(Duration.ofMillis(1));
        a.tick();
        assertThat(names(a)).containsExactly("900nex-aaaa");
        assertThat(links.peers).isEmpty();
        assertThat(table.rows).as("kept until forgotten").containsKey("900nex-bbbb");

        table.heartbeat(node("900nex-bbbb", "key-b", 8002, clock.instant()));
        a.tick();
        assertThat(names(a)).containsExactly("900nex-aaaa", "900nex-bbbb");
        assertThat(links.peers).hasSize(1);
    }

    @Test
    void explicitPeersStayAndItsOwnRowIsNeverAPeer() {
        MeshPeer explicit = MeshPeer.parse("https://other.example:443/derp", true);
        links.peers.add(explicit);
        RegisteredNode self = node("900nex-aaaa", "key-a", 8001, clock.instant());
        // an older row of this relay (its address changed since): still itself, not a peer
        table.heartbeat(new RegisteredNode(
                node("900nex-aaaa", "key-a", 8009, clock.instant()).node(), "key-a", clock.instant()));
        RelayMesh a = new RelayMesh(self, table, links, clock, Set.of(explicit));
        a.tick();
        assertThat(links.peers).containsExactly(explicit);
        assertThat(a.region().nodes())
                .singleElement()
                .extracting(RelayNode::derpPort)
                .isEqualTo(8001);
    }

    @Test
    void aGracefulStopLeavesAtOnceAndLongGoneRowsAreForgotten() {
        RelayMesh a = new RelayMesh(node("900nex-aaaa", "key-a", 8001, clock.instant()), table, links, clock, Set.of());
        table.heartbeat(node("900nex-old0", "key-old", 8005, clock.instant().minus(Duration.ofHours(2))));
        a.tick();
        assertThat(table.rows).doesNotContainKey("900nex-old0");
        a.leave();
        assertThat(table.rows).isEmpty();

        int forgets = table.forgets.size();
        clock.advance(Duration.ofMinutes(30));
        a.tick();
        assertThat(table.forgets)
                .as("forgetting runs hourly, not every heartbeat")
                .hasSize(forgets);
        clock.advance(Duration.ofMinutes(31));
        a.tick();
        assertThat(table.forgets).hasSize(forgets + 1);
    }

    @Test
    void nodeNamesComeFromTheRelayKey() {
        assertThat(RelayMesh.nodeName("0123456789abcdef")).isEqualTo("900nex-01234567");
    }

    @Test
    void advertiseTakesAnIpAndAnOptionalPort() {
        assertThat(DerpRelayOptions.parseAdvertise("--derp-advertise", "10.1.2.3"))
                .isEqualTo(new InetSocketAddress("10.1.2.3", 0));
        assertThat(DerpRelayOptions.parseAdvertise("--derp-advertise", "10.1.2.3:8444"))
                .isEqualTo(new InetSocketAddress("10.1.2.3", 8444));
        assertThat(DerpRelayOptions.parseAdvertise("--derp-advertise", "[fd00::1]:443")
                        .getPort())
                .isEqualTo(443);
        assertThat(DerpRelayOptions.parseAdvertise("--derp-advertise", "fd00::1")
                        .getPort())
                .isZero();
        assertThatThrownBy(() -> DerpRelayOptions.parseAdvertise("--derp-advertise", "relay.example"))
                .hasMessageContaining("--derp-advertise takes an IP address")
                .hasMessageContaining("--derp-hostname");
        assertThatThrownBy(() -> DerpRelayOptions.parseAdvertise("--derp-advertise", "10.1.2.3:http"))
                .hasMessageContaining("port is not a number");
        assertThatThrownBy(() -> DerpRelayOptions.parseAdvertise("--derp-advertise", "10.1.2.3:70000"))
                .hasMessageContaining("port out of range");
        assertThatThrownBy(() -> DerpRelayOptions.parseAdvertise("--derp-advertise", "0.0.0.0"))
                .hasMessageContaining("not an address others can dial");
        assertThatThrownBy(() -> DerpRelayOptions.parseAdvertise("--derp-advertise", "10.1.2:80"))
                .hasMessageContaining("needs IP[:PORT]");
    }
}
