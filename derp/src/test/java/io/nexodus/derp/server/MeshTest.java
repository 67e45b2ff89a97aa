package io.nexodus.derp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.crypto.MeshKey;
import io.nexodus.derp.frame.PeerGoneReason;
import io.nexodus.derp.http.DerpRelayConfig;
import io.nexodus.derp.http.DerpRelayServer;
import io.nexodus.derp.http.TlsMode;
import io.nexodus.derp.testing.Events;
import io.nexodus.testkit.FreePorts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servers sharing a mesh key: clients homed on different servers reach each other. */
@SuppressWarnings("try") // resources opened for their effect (connections) or closed early on purpose
class MeshTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final MeshKey KEY =
            MeshKey.parse("6d529e9d4ef632d22d4a4214cb49da8f1ba1b72697061fb24e312984c35ec8d8");

    private static DerpRelayServer start(int port, MeshKey key, List<MeshPeer> peers, Path certDir) throws Exception {
        DerpRelayConfig.Builder b = DerpRelayConfig.builder()
                .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), port))
                .meshKey(key)
                .meshPeers(peers);
        if (certDir != null) {
            b.tlsMode(TlsMode.SELF_SIGNED).certDir(certDir).hostname("127.0.0.1");
        }
        return DerpRelayServer.start(b.build());
    }

    @Test
    void clientsOnDifferentServersExchangePackets() throws Exception {
        int p1 = FreePorts.tcp();
        int p2 = FreePorts.tcp();
        MeshPeer to1 = MeshPeer.parse("127.0.0.1:" + p1, false);
        MeshPeer to2 = MeshPeer.parse("127.0.0.1:" + p2, false);
        // Each lists the whole region, itself included (it recognises and skips itself).
        try (DerpRelayServer s1 = start(p1, KEY, List.of(to1, to2), null);
                DerpRelayServer s2 = start(p2, KEY, List.of(to1, to2), null)) {
            NodePrivateKey kx = NodePrivateKey.generate();
            NodePrivateKey ky = NodePrivateKey.generate();
            Events ex = new Events();
            Events ey = new Events();
            try (DerpClient x = DerpClient.start(
                            DerpClientConfig.builder(URI.create("http://127.0.0.1:" + p1), kx)
                                    .build(),
                            ex);
                    DerpClient y = DerpClient.start(
                            DerpClientConfig.builder(URI.create("http://127.0.0.1:" + p2), ky)
                                    .build(),
                            ey)) {
                assertThat(x.awaitConnected(WAIT)).isTrue();
                assertThat(y.awaitConnected(WAIT)).isTrue();
                await().atMost(WAIT)
                        .until(() ->
                                s1.stats().clientsRemote() >= 1 && s2.stats().clientsRemote() >= 1);
                assertThat(s1.stats().watchers()).isEqualTo(1);

                x.send(ky.publicKey(), new byte[] {1, 2});
                Events.Packet p = ey.nextPacket(WAIT);
                assertThat(p.source()).isEqualTo(kx.publicKey());
                assertThat(p.data()).containsExactly(1, 2);
                y.send(kx.publicKey(), new byte[] {3});
                assertThat(ex.nextPacket(WAIT).source()).isEqualTo(ky.publicKey());
                assertThat(s1.stats().packetsForwardedOut()).isEqualTo(1);
                assertThat(s2.stats().packetsForwardedIn()).isEqualTo(1);

                // X leaves the region: Y, which received from X through the mesh, is told.
                x.close();
                Events.Gone g = ey.nextGone(WAIT);
                assertThat(g.peer()).isEqualTo(kx.publicKey());
                assertThat(g.reason()).isEqualTo(PeerGoneReason.DISCONNECTED);
            }
        }
    }

    @Test
    void meshOverTlsWithTheSharedSelfSignedCa(@TempDir Path dir) throws Exception {
        int p1 = FreePorts.tcp();
        int p2 = FreePorts.tcp();
        MeshPeer to1 = MeshPeer.parse("127.0.0.1:" + p1, true);
        MeshPeer to2 = MeshPeer.parse("127.0.0.1:" + p2, true);
        try (DerpRelayServer s1 = start(p1, KEY, List.of(to2), dir);
                DerpRelayServer s2 = start(p2, KEY, List.of(to1), dir)) {
            var trust = TrustBundles.trusting(s1.caCertificateFile().orElseThrow());
            NodePrivateKey kx = NodePrivateKey.generate();
            NodePrivateKey ky = NodePrivateKey.generate();
            Events ey = new Events();
            try (DerpClient x = DerpClient.start(
                            DerpClientConfig.builder(s1.url(), kx)
                                    .sslContext(trust)
                                    .build(),
                            new Events());
                    DerpClient y = DerpClient.start(
                            DerpClientConfig.builder(s2.url(), ky)
                                    .sslContext(trust)
                                    .build(),
                            ey)) {
                assertThat(x.awaitConnected(WAIT)).isTrue();
                assertThat(y.awaitConnected(WAIT)).isTrue();
                await().atMost(WAIT).until(() -> s1.derpServer().stats().clientsRemote() >= 1);
                x.send(ky.publicKey(), new byte[] {7});
                assertThat(ey.nextPacket(WAIT).source()).isEqualTo(kx.publicKey());
            }
        }
    }

    @Test
    void aWrongMeshKeyIsRefused() throws Exception {
        int p1 = FreePorts.tcp();
        int p3 = FreePorts.tcp();
        MeshKey wrong = MeshKey.parse("00".repeat(32));
        try (DerpRelayServer s1 = start(p1, KEY, List.of(), null);
                DerpRelayServer s3 = start(p3, wrong, List.of(MeshPeer.parse("127.0.0.1:" + p1, false)), null)) {
            NodePrivateKey kx = NodePrivateKey.generate();
            NodePrivateKey kz = NodePrivateKey.generate();
            try (DerpClient x = DerpClient.start(
                            DerpClientConfig.builder(URI.create("http://127.0.0.1:" + p1), kx)
                                    .build(),
                            new Events());
                    DerpClient z = DerpClient.start(
                            DerpClientConfig.builder(URI.create("http://127.0.0.1:" + p3), kz)
                                    .build(),
                            new Events())) {
                assertThat(x.awaitConnected(WAIT)).isTrue();
                assertThat(z.awaitConnected(WAIT)).isTrue();
                await().atMost(WAIT).until(() -> s1.stats().closed(ConnectionCloseReason.MESH_KEY_MISMATCH) >= 1);
                assertThat(s1.stats().watchers()).isZero();
                assertThat(s3.stats().clientsRemote()).isZero();
                z.send(kx.publicKey(), new byte[] {1});
                await().atMost(WAIT).until(() -> s3.stats().dropped(DropReason.UNKNOWN_DEST) == 1);
                // And a client without the mesh key may not watch or forward.
                assertThat(s1.stats().closed(ConnectionCloseReason.INSUFFICIENT_PERMISSIONS))
                        .isZero();
            }
        }
    }

    @Test
    void aPeerAddedAtRunTimeMeshesAndRemovingItWithdrawsItsClients() throws Exception {
        int p1 = FreePorts.tcp();
        int p2 = FreePorts.tcp();
        try (DerpRelayServer s1 = start(p1, KEY, List.of(), null);
                DerpRelayServer s2 = start(p2, KEY, List.of(), null)) {
            NodePrivateKey kx = NodePrivateKey.generate();
            NodePrivateKey ky = NodePrivateKey.generate();
            Events ey = new Events();
            try (DerpClient x = DerpClient.start(
                            DerpClientConfig.builder(URI.create("http://127.0.0.1:" + p1), kx)
                                    .build(),
                            new Events());
                    DerpClient y = DerpClient.start(
                            DerpClientConfig.builder(URI.create("http://127.0.0.1:" + p2), ky)
                                    .build(),
                            ey)) {
                assertThat(x.awaitConnected(WAIT)).isTrue();
                assertThat(y.awaitConnected(WAIT)).isTrue();
                MeshPeer to2 = MeshPeer.parse("127.0.0.1:" + p2, false);
                assertThat(s1.derpServer().addMeshPeer(to2, Optional.empty())).isTrue();
                assertThat(s1.derpServer().addMeshPeer(to2, Optional.empty()))
                        .as("a peer already meshed with is left alone")
                        .isFalse();
                assertThat(s1.derpServer().meshPeers()).containsExactly(to2);
                // replicas behind one shared name: the same URL, dialled at different addresses, are different peers
                MeshPeer sameNameElsewhere = new MeshPeer(
                        to2.url(),
                        Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), FreePorts.tcp())));
                assertThat(s1.derpServer().addMeshPeer(sameNameElsewhere, Optional.empty()))
                        .as("another node behind the same name")
                        .isTrue();
                assertThat(s1.derpServer().meshPeers()).containsExactlyInAnyOrder(to2, sameNameElsewhere);
                assertThat(s1.derpServer().removeMeshPeer(sameNameElsewhere)).isTrue();
                assertThat(s1.derpServer().meshPeers()).containsExactly(to2);
                await().atMost(WAIT).until(() -> s1.stats().clientsRemote() >= 1);
                x.send(ky.publicKey(), new byte[] {5});
                assertThat(ey.nextPacket(WAIT).source()).isEqualTo(kx.publicKey());

                assertThat(s1.derpServer().removeMeshPeer(to2)).isTrue();
                assertThat(s1.derpServer().meshPeers()).isEmpty();
                await().atMost(WAIT).until(() -> s1.stats().clientsRemote() == 0);
                x.send(ky.publicKey(), new byte[] {6});
                await().atMost(WAIT).until(() -> s1.stats().dropped(DropReason.UNKNOWN_DEST) == 1);
            }
        }
    }

    @Test
    void aClientWhoseNodeDiesMovesToTheNextNodeOfTheRegion() throws Exception {
        int p1 = FreePorts.tcp();
        int p2 = FreePorts.tcp();
        MeshPeer to1 = MeshPeer.parse("127.0.0.1:" + p1, false);
        MeshPeer to2 = MeshPeer.parse("127.0.0.1:" + p2, false);
        DerpRelayServer s1 = start(p1, KEY, List.of(to2), null);
        try (DerpRelayServer s2 = start(p2, KEY, List.of(to1), null)) {
            NodePrivateKey kx = NodePrivateKey.generate();
            NodePrivateKey ky = NodePrivateKey.generate();
            Events ex = new Events();
            List<DerpClientConfig> region = List.of(
                    DerpClientConfig.builder(URI.create("http://127.0.0.1:" + p1), kx)
                            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                            .build(),
                    DerpClientConfig.builder(URI.create("http://127.0.0.1:" + p2), kx)
                            .build());
            try (DerpClient x = DerpClient.start(region, ex);
                    DerpClient y = DerpClient.start(
                            DerpClientConfig.builder(URI.create("http://127.0.0.1:" + p2), ky)
                                    .build(),
                            new Events())) {
                assertThat(x.awaitConnected(WAIT)).isTrue();
                assertThat(x.currentUrl().getPort()).isEqualTo(p1);
                assertThat(y.awaitConnected(WAIT)).isTrue();
                await().atMost(WAIT).until(() -> s2.stats().clientsRemote() >= 1);
                y.send(kx.publicKey(), new byte[] {1});
                assertThat(ex.nextPacket(WAIT).source()).isEqualTo(ky.publicKey());

                s1.close();
                await().atMost(WAIT)
                        .until(() -> x.isConnected() && x.currentUrl().getPort() == p2);
                await().atMost(WAIT).until(() -> {
                    y.send(kx.publicKey(), new byte[] {2});
                    Events.Packet p = ex.packets.poll(100, TimeUnit.MILLISECONDS);
                    return p != null && p.data()[0] == 2;
                });
            }
        } finally {
            s1.close();
        }
    }

    @Test
    void theNodesOfOneClientShareItsKey() {
        List<DerpClientConfig> mixed = List.of(
                DerpClientConfig.builder(URI.create("http://127.0.0.1:1"), NodePrivateKey.generate())
                        .build(),
                DerpClientConfig.builder(URI.create("http://127.0.0.1:2"), NodePrivateKey.generate())
                        .build());
        assertThatThrownBy(() -> DerpClient.start(mixed, new Events()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("share its key");
        assertThatThrownBy(() -> DerpClient.start(List.of(), new Events()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
