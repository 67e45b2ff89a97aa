package io.nexodus.derp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.frame.ClientInfo;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.http.DerpRelayConfig;
import io.nexodus.derp.http.DerpRelayServer;
import io.nexodus.derp.testing.RawDerp;
import io.nexodus.testkit.ManualClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The accept-rate limit (on an injected clock) and the client verifier hook. */
@SuppressWarnings("try") // resources opened for their effect (connections) or closed early on purpose
class AdmissionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void acceptRateLimitClosesExcessConnectionsRightAway() throws Exception {
        ManualClock clock = ManualClock.atMillis(0);
        try (DerpRelayServer relay = DerpRelayServer.start(DerpRelayConfig.builder()
                .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                .acceptConnectionLimit(1.0, 2)
                .clock(clock)
                .build())) {
            List<RawDerp> conns = new ArrayList<>();
            int upgraded = 0;
            try {
                for (int i = 0; i < 5; i++) {
                    try {
                        conns.add(RawDerp.upgraded(relay.port()));
                        upgraded++;
                    } catch (IOException refused) {
                        // closed right after accept
                    }
                }
                assertThat(upgraded).isEqualTo(2); // the burst; the clock does not move, so no refill
                await().atMost(WAIT).until(() -> relay.stats().closed(ConnectionCloseReason.ACCEPT_RATE_LIMITED) == 3);
                clock.advance(Duration.ofSeconds(1));
                conns.add(RawDerp.upgraded(relay.port())); // one token back after a second
            } finally {
                for (RawDerp c : conns) {
                    c.close();
                }
            }
        }
    }

    @Test
    void theVerifierDecidesWhoMayUseTheRelay() throws Exception {
        NodePrivateKey allowed = NodePrivateKey.generate();
        NodePublicKey allowedKey = allowed.publicKey();
        try (DerpRelayServer relay = DerpRelayServer.start(DerpRelayConfig.builder()
                .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                .verifier((key, remote) -> key.equals(allowedKey))
                .build())) {
            try (RawDerp ok = RawDerp.connected(relay.port(), allowed)) {
                assertThat(relay.derpServer().isConnected(allowedKey)).isTrue();
            }
            try (RawDerp other = RawDerp.upgraded(relay.port())) {
                other.sendClientInfo(NodePrivateKey.generate(), ClientInfo.regular());
                assertThat(other.closedByServer()).isTrue(); // closed without ServerInfo
            }
            assertThat(relay.stats().closed(ConnectionCloseReason.CLIENT_NOT_VERIFIED))
                    .isEqualTo(1);
        }
    }

    @Test
    void theDeliveryPolicyKeepsGroupsApartAndEvictionClosesAConnection() throws Exception {
        NodePrivateKey a1 = NodePrivateKey.generate(), a2 = NodePrivateKey.generate(), b1 = NodePrivateKey.generate();
        Set<NodePublicKey> groupA = Set.of(a1.publicKey(), a2.publicKey());
        try (DerpRelayServer relay = DerpRelayServer.start(DerpRelayConfig.builder()
                        .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                        .deliveryPolicy((src, dst) -> groupA.contains(src) == groupA.contains(dst))
                        .build());
                RawDerp ra1 = RawDerp.connected(relay.port(), a1);
                RawDerp ra2 = RawDerp.connected(relay.port(), a2);
                RawDerp rb1 = RawDerp.connected(relay.port(), b1)) {
            await().atMost(WAIT).until(() -> relay.derpServer().isConnected(b1.publicKey()));
            rb1.write(new Frame.SendPacket(a1.publicKey(), new byte[] {1, 2, 3})); // across groups: dropped
            ra2.write(new Frame.SendPacket(a1.publicKey(), new byte[] {4, 5, 6})); // same group: delivered
            Frame.RecvPacket got = ra1.nextPacket();
            assertThat(got.source()).isEqualTo(a2.publicKey());
            assertThat(got.packet()).containsExactly(4, 5, 6);
            await().atMost(WAIT).until(() -> relay.stats().dropped(DropReason.POLICY) == 1);

            assertThat(relay.derpServer().evict(b1.publicKey())).isEqualTo(1);
            assertThat(rb1.closedByServer()).isTrue();
            await().atMost(WAIT).until(() -> relay.stats().closed(ConnectionCloseReason.EVICTED) == 1);
            assertThat(relay.derpServer().isConnected(a1.publicKey())).isTrue();
        }
    }
}
