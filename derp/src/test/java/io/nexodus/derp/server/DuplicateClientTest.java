package io.nexodus.derp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.http.DerpRelayConfig;
import io.nexodus.derp.http.DerpRelayServer;
import io.nexodus.derp.testing.Events;
import io.nexodus.derp.testing.RawDerp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Several connections for one key: Tailscale's "last writer is active" policy. */
@SuppressWarnings("try") // resources opened for their effect (connections) or closed early on purpose
class DuplicateClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void newestThenLastWriterWins() throws Exception {
        try (DerpRelayServer relay = DerpRelayServer.start(DerpRelayConfig.builder()
                .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                .build())) {
            URI url = URI.create("http://127.0.0.1:" + relay.port());
            NodePrivateKey ka = NodePrivateKey.generate();
            NodePrivateKey k = NodePrivateKey.generate();
            try (DerpClient a =
                            DerpClient.start(DerpClientConfig.builder(url, ka).build(), new Events());
                    RawDerp c1 = RawDerp.connected(relay.port(), k);
                    RawDerp c2 = RawDerp.connected(relay.port(), k)) {
                assertThat(a.awaitConnected(WAIT)).isTrue();
                await().atMost(WAIT).until(() -> relay.stats().dupClientConns() == 2);
                assertThat(relay.stats().dupClientKeys()).isEqualTo(1);
                assertThat(relay.stats().totalDupClientConns()).isEqualTo(1);

                a.send(k.publicKey(), new byte[] {1});
                assertThat(c2.nextPacket().packet()).containsExactly(1); // the newest is active

                c1.write(new Frame.Ping(5)); // any frame makes the older one active again
                assertThat(c1.next()).isEqualTo(new Frame.Pong(5));
                a.send(k.publicKey(), new byte[] {2});
                assertThat(c1.nextPacket().packet()).containsExactly(2);

                try (RawDerp c3 = RawDerp.connected(relay.port(), k)) {
                    await().atMost(WAIT).until(() -> relay.stats().dupClientConns() == 3);
                    a.send(k.publicKey(), new byte[] {3});
                    assertThat(c3.nextPacket().packet()).containsExactly(3);
                }
                // The active one left; the most recent remaining sender (c1) takes over.
                await().atMost(WAIT).until(() -> relay.stats().dupClientConns() == 2);
                a.send(k.publicKey(), new byte[] {4});
                assertThat(c1.nextPacket().packet()).containsExactly(4);

                c1.close();
                await().atMost(WAIT).until(() -> relay.stats().dupClientKeys() == 0);
                a.send(k.publicKey(), new byte[] {5});
                assertThat(c2.nextPacket().packet()).containsExactly(5); // a single connection is always active
            }
        }
    }

    @Test
    void withNoActiveDuplicatePacketsAreDroppedAsDupClient() throws Exception {
        try (DerpRelayServer relay = DerpRelayServer.start(DerpRelayConfig.builder()
                .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                .build())) {
            URI url = URI.create("http://127.0.0.1:" + relay.port());
            NodePrivateKey k = NodePrivateKey.generate();
            try (DerpClient a = DerpClient.start(
                            DerpClientConfig.builder(url, NodePrivateKey.generate())
                                    .build(),
                            new Events());
                    RawDerp c1 = RawDerp.connected(relay.port(), k);
                    RawDerp c2 = RawDerp.connected(relay.port(), k)) {
                assertThat(a.awaitConnected(WAIT)).isTrue();
                try (RawDerp c3 = RawDerp.connected(relay.port(), k)) {
                    await().atMost(WAIT).until(() -> relay.stats().dupClientConns() == 3);
                }
                await().atMost(WAIT).until(() -> relay.stats().dupClientConns() == 2);
                a.send(k.publicKey(), new byte[] {9}); // neither c1 nor c2 has sent anything: none is active
                await().atMost(WAIT).until(() -> relay.stats().dropped(DropReason.DUP_CLIENT) == 1);
                c2.write(new Frame.NotePreferred(true));
                await().atMost(WAIT).until(() -> relay.stats().currentHomeConnections() == 1);
                a.send(k.publicKey(), new byte[] {10});
                assertThat(c2.nextPacket().packet()).containsExactly(10);
            }
        }
    }
}
