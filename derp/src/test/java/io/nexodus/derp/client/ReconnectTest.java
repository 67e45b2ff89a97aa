package io.nexodus.derp.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.derp.http.DerpRelayConfig;
import io.nexodus.derp.http.DerpRelayServer;
import io.nexodus.derp.testing.Events;
import io.nexodus.testkit.FreePorts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void clientsReconnectAfterAServerRestart(@TempDir Path dir) throws Exception {
        int port = FreePorts.tcp();
        DerpRelayConfig cfg = DerpRelayConfig.builder()
                .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), port))
                .privateKeyFile(dir.resolve("derper.key"))
                .build();
        URI url = URI.create("http://127.0.0.1:" + port);
        NodePrivateKey ka = NodePrivateKey.generate();
        NodePrivateKey kb = NodePrivateKey.generate();
        Events ea = new Events();
        Events eb = new Events();
        DerpRelayServer relay = DerpRelayServer.start(cfg);
        try (DerpClient a = DerpClient.start(
                        DerpClientConfig.builder(url, ka)
                                .preferred(true)
                                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                                .build(),
                        ea);
                DerpClient b = DerpClient.start(
                        DerpClientConfig.builder(url, kb)
                                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                                .build(),
                        eb)) {
            assertThat(a.awaitConnected(WAIT)).isTrue();
            assertThat(b.awaitConnected(WAIT)).isTrue();
            var firstKey = relay.publicKey();
            relay.close();
            assertThat(ea.disconnected.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .isNotNull();
            assertThat(a.send(kb.publicKey(), new byte[1]))
                    .as("nothing to send on while down")
                    .isFalse();

            relay = DerpRelayServer.start(cfg); // same port, same key file
            assertThat(relay.publicKey()).isEqualTo(firstKey);
            assertThat(a.awaitConnected(WAIT)).isTrue();
            assertThat(b.awaitConnected(WAIT)).isTrue();
            DerpRelayServer r = relay;
            Awaitility.await().atMost(WAIT).until(() -> r.stats().currentHomeConnections() == 1);
            assertThat(a.send(kb.publicKey(), new byte[] {5})).isTrue();
            assertThat(eb.nextPacket(WAIT).data()).containsExactly(5);
            assertThat(a.stats().connects()).isEqualTo(2);
        } finally {
            relay.close();
        }
    }
}
