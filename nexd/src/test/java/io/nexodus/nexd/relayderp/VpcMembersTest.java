package io.nexodus.nexd.relayderp;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.derp.http.TlsMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An onboarded relay from an outsider's side: a real relay on loopback (plain HTTP; TLS changes nothing here) started
 * as {@code --onboard} starts it, and real DERP clients.
 */
class VpcMembersTest {
    @TempDir
    Path dir;

    private final NodePrivateKey alice = NodePrivateKey.generate();
    private final NodePrivateKey bob = NodePrivateKey.generate();
    private final NodePrivateKey stranger = NodePrivateKey.generate();

    private RelayDerpServer relay(boolean onboard) throws Exception {
        return RelayDerpServer.start(
                new RelayDerpConfig(
                        new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0),
                        "relay.test",
                        TlsMode.NONE,
                        Files.createDirectories(dir.resolve("certs")),
                        dir.resolve("derp.key"),
                        false,
                        0,
                        Double.POSITIVE_INFINITY,
                        100,
                        Optional.empty(),
                        List.of(),
                        onboard),
                Clock.systemUTC());
    }

    private static DerpClient client(RelayDerpServer relay, NodePrivateKey key, LinkedBlockingQueue<String> inbox) {
        URI url = URI.create("http://127.0.0.1:" + relay.relay().port() + "/derp");
        return DerpClient.start(DerpClientConfig.builder(url, key).build(), new DerpClientListener() {
            @Override
            public void onPacket(NodePublicKey source, byte[] packet) {
                inbox.add(new String(packet, StandardCharsets.UTF_8));
            }
        });
    }

    @Test
    void onlyTheVpcsDevicesAreServedAndADeviceThatLeavesIsDisconnected() throws Exception {
        try (RelayDerpServer relay = relay(true)) {
            VpcMembers members = relay.members().orElseThrow();
            assertThat(members.known()).isFalse();
            assertThat(members.admit(alice.publicKey(), null))
                    .as("nobody before the first device list")
                    .isFalse();

            members.refresh(Optional.empty(), relay.relay().derpServer());
            assertThat(members.known()).as("no list from the agent yet").isFalse();
            members.refresh(
                    Optional.of(
                            Set.of(alice.publicKey().toBase64(), bob.publicKey().toBase64(), "not a key")),
                    relay.relay().derpServer());
            assertThat(members.size()).isEqualTo(2);
            LinkedBlockingQueue<String> toAlice = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<String> toBob = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<String> toStranger = new LinkedBlockingQueue<>();
            try (DerpClient a = client(relay, alice, toAlice);
                    DerpClient b = client(relay, bob, toBob);
                    DerpClient s = client(relay, stranger, toStranger)) {
                assertThat(a.awaitConnected(Duration.ofSeconds(10))).isTrue();
                assertThat(b.awaitConnected(Duration.ofSeconds(10))).isTrue();
                assertThat(s.awaitConnected(Duration.ofSeconds(2)))
                        .as("a key of no device of the VPC is refused")
                        .isFalse();

                String got = null;
                for (int i = 0; i < 50 && got == null; i++) {
                    a.send(bob.publicKey(), "hello bob".getBytes(StandardCharsets.UTF_8));
                    got = toBob.poll(100, TimeUnit.MILLISECONDS);
                }
                assertThat(got).isEqualTo("hello bob");
                a.send(stranger.publicKey(), "to a stranger".getBytes(StandardCharsets.UTF_8));
                assertThat(toStranger.poll(300, TimeUnit.MILLISECONDS)).isNull();

                // bob's device is deleted: its key leaves the list, its connection is closed
                members.refresh(
                        Optional.of(Set.of(alice.publicKey().toBase64())),
                        relay.relay().derpServer());
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (b.isConnected() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(b.isConnected()).as("disconnected by the refresh").isFalse();
                assertThat(b.awaitConnected(Duration.ofSeconds(1)))
                        .as("and refused when it reconnects")
                        .isFalse();
                toBob.clear();
                a.send(bob.publicKey(), "after".getBytes(StandardCharsets.UTF_8));
                assertThat(toBob.poll(500, TimeUnit.MILLISECONDS)).isNull();
            }
        }
    }

    @Test
    void aRelayThatIsNotOnboardedServesAnyone() throws Exception {
        try (RelayDerpServer relay = relay(false)) {
            assertThat(relay.members()).isEmpty();
            try (DerpClient s = client(relay, stranger, new LinkedBlockingQueue<>())) {
                assertThat(s.awaitConnected(Duration.ofSeconds(10))).isTrue();
            }
        }
    }
}
