package io.nexodus.nexd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.model.RelayMap;
import io.nexodus.api.model.RelayNode;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.http.DerpRelayConfig;
import io.nexodus.derp.http.DerpRelayServer;
import io.nexodus.nexd.net.HostsFile;
import io.nexodus.nexd.peering.DerpRelay;
import io.nexodus.testkit.FreePorts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DerpConnectionTest {
    private static RelayNode node(String name, int region, String url, String ipv4) {
        return new RelayNode(name, region, "relay.example", ipv4, null, 443, 3478, url, false, null);
    }

    private static RelayRegion region(int id, boolean builtIn, RelayNode... nodes) {
        return new RelayRegion(id, "r" + id, "region " + id, builtIn, List.of(nodes));
    }

    private static DerpConnection connection(Path dir, List<DerpRelay> region) {
        return new DerpConnection(
                TlsOptions.DEFAULT,
                Optional.empty(),
                NodePrivateKey.generate(),
                new HostsFile(dir.resolve("hosts")),
                () -> region);
    }

    @Test
    void thePublicRegionIsTheBuiltInOneWithAllItsUsableNodesInOrder() {
        RelayMap map = new RelayMap(Map.of(
                "902",
                region(902, false, node("902nex", 902, "https://added.example:443/derp", null)),
                "900",
                region(
                        900,
                        true,
                        node("900nex-aaaa", 900, "https://a.example:8444/derp", null),
                        node("900nex-bbbb", 900, "ftp://bad.example/derp", null),
                        node("900nex-cccc", 900, "https://c.example:8444/derp", "10.0.0.3"))));
        List<DerpRelay> nodes = DerpConnection.publicRegion(map);
        assertThat(nodes)
                .extracting(DerpRelay::url)
                .containsExactly(URI.create("https://a.example:8444/derp"), URI.create("https://c.example:8444/derp"));
        assertThat(nodes).extracting(DerpRelay::id).containsOnly("public:900");
        assertThat(nodes.get(1).dialIp()).contains(InetAddress.ofLiteral("10.0.0.3"));
        assertThat(DerpConnection.publicRelay(map)).contains(nodes.getFirst());
        assertThat(DerpConnection.publicRegion(new RelayMap(Map.of()))).isEmpty();
        assertThat(DerpConnection.publicRelay(null)).isEmpty();
    }

    @Test
    void theClientTriesItsNodeFirstThenTheRegionsOthersInOrder(@TempDir Path dir) throws Exception {
        // three replicas behind one name: they differ only in the IP to dial
        RelayMap map = new RelayMap(Map.of(
                "900",
                region(
                        900,
                        true,
                        node("900nex-a", 900, "https://relay.example:8444/derp", "10.0.0.1"),
                        node("900nex-b", 900, "https://relay.example:8444/derp", "10.0.0.2"),
                        node("900nex-c", 900, "https://relay.example:8444/derp", "10.0.0.3"))));
        List<DerpRelay> region = DerpConnection.publicRegion(map);
        DerpConnection c = connection(dir, region);
        assertThat(c.clientConfigs(region.get(1), region))
                .extracting(cfg -> cfg.dialAddress().orElseThrow())
                .containsExactly(
                        new InetSocketAddress("10.0.0.2", 8444),
                        new InetSocketAddress("10.0.0.3", 8444),
                        new InetSocketAddress("10.0.0.1", 8444));
        assertThat(c.clientConfigs(region.getFirst(), List.of())).hasSize(1);

        DerpRelay onboarded = new DerpRelay(
                DerpRelay.Kind.ONBOARDED,
                "onboarded:x",
                URI.create("https://relay.example:8444/derp"),
                Optional.empty(),
                Optional.empty(),
                false,
                Optional.empty());
        assertThat(c.clientConfigs(onboarded, region))
                .as("an onboarded relay has no other nodes")
                .extracting(DerpClientConfig::url)
                .containsExactly(onboarded.url());
    }

    @Test
    void whenItsNodeIsDownTheClientConnectsToTheNextNode(@TempDir Path dir) throws Exception {
        int down = FreePorts.tcp(); // nothing listens there
        int up = FreePorts.tcp();
        try (DerpRelayServer relay = DerpRelayServer.start(DerpRelayConfig.builder()
                .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), up))
                .build())) {
            RelayMap map = new RelayMap(Map.of(
                    "900",
                    region(
                            900,
                            true,
                            node("900nex-a", 900, "http://127.0.0.1:" + down + "/derp", null),
                            node("900nex-b", 900, "http://127.0.0.1:" + up + "/derp", null))));
            List<DerpRelay> region = DerpConnection.publicRegion(map);
            DerpConnection c = connection(dir, region);
            try (DerpClient client = c.connect(region.getFirst(), (src, p) -> {})) {
                assertThat(client.awaitConnected(Duration.ofSeconds(15))).isTrue();
                assertThat(client.currentUrl().getPort()).isEqualTo(up);
                assertThat(relay.derpServer().isConnected(client.publicKey())).isTrue();
            }
        }
    }

    @Test
    void aClientIsOutdatedOnceTheRegionItWasMadeFromChanges(@TempDir Path dir) throws Exception {
        RelayNode a = node("900nex-a", 900, "https://relay.example:8444/derp", "10.0.0.1");
        RelayNode b = node("900nex-b", 900, "https://relay.example:8444/derp", "10.0.0.2");
        RelayNode c = node("900nex-c", 900, "https://relay.example:8444/derp", "10.0.0.3");
        AtomicReference<List<DerpRelay>> published = new AtomicReference<>(
                DerpConnection.publicRegion(new RelayMap(Map.of("900", region(900, true, a, b)))));
        DerpConnection connection = new DerpConnection(
                TlsOptions.DEFAULT,
                Optional.empty(),
                NodePrivateKey.generate(),
                new HostsFile(dir.resolve("hosts")),
                published::get);
        DerpRelay first = published.get().getFirst();
        assertThat(connection.outdated(first)).as("no client made yet").isFalse();
        try (DerpClient client = connection.connect(first, (source, packet) -> {})) {
            assertThat(client.config().url()).isEqualTo(first.url());
            assertThat(connection.outdated(first)).isFalse();
            // a replica joins: the client's fallbacks lack it
            published.set(DerpConnection.publicRegion(new RelayMap(Map.of("900", region(900, true, a, b, c)))));
            assertThat(connection.outdated(first)).isTrue();
            // back as it was
            published.set(DerpConnection.publicRegion(new RelayMap(Map.of("900", region(900, true, a, b)))));
            assertThat(connection.outdated(first)).isFalse();
            // every node replaced (new addresses): outdated
            published.set(DerpConnection.publicRegion(new RelayMap(Map.of("900", region(900, true, c)))));
            assertThat(connection.outdated(first)).isTrue();
            connection.disconnected(first);
            assertThat(connection.outdated(first))
                    .as("forgotten once the proxy let it go")
                    .isFalse();
        }
    }
}
