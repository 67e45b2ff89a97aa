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
import io.nexodus.testkit.ManualClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A receiver that stops reading fills only its own bounded queue (oldest dropped, counted); other flows keep going;
 * its stuck write is cut by the write timeout (driven by an injected clock). Keepalives follow the same clock.
 */
@SuppressWarnings("try") // resources opened for their effect (connections) or closed early on purpose
class SlowReceiverTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void slowReceiverDoesNotStallOthers() throws Exception {
        ManualClock clock = ManualClock.atMillis(1_000_000);
        try (DerpRelayServer relay = DerpRelayServer.start(DerpRelayConfig.builder()
                .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                .sendQueueDepth(8)
                .writeTimeout(Duration.ofSeconds(1))
                .clock(clock)
                .build())) {
            URI url = URI.create("http://127.0.0.1:" + relay.port());
            NodePrivateKey ka = NodePrivateKey.generate();
            NodePrivateKey kb = NodePrivateKey.generate();
            NodePrivateKey kSlow = NodePrivateKey.generate();
            Events eb = new Events();
            try (DerpClient a =
                            DerpClient.start(DerpClientConfig.builder(url, ka).build(), new Events());
                    DerpClient b =
                            DerpClient.start(DerpClientConfig.builder(url, kb).build(), eb);
                    RawDerp slow = RawDerp.connected(relay.port(), kSlow, 4096)) {
                assertThat(a.awaitConnected(WAIT)).isTrue();
                assertThat(b.awaitConnected(WAIT)).isTrue();
                byte[] chunk = new byte[16 * 1024];
                // Flood the receiver that never reads until its queue has long been full (so the kernel's socket
                // buffers are full too and the relay's write to it is stuck).
                for (int i = 0; i < 200_000 && relay.stats().dropped(DropReason.QUEUE_HEAD) < 2000; i++) {
                    a.send(kSlow.publicKey(), chunk);
                    if (i % 64 == 63) {
                        Thread.sleep(1); // let A's own client queue drain to the relay
                    }
                }
                assertThat(relay.stats().dropped(DropReason.QUEUE_HEAD)).isPositive();
                // Others are unaffected: B gets every packet A sends it, in order.
                for (int i = 0; i < 50; i++) {
                    a.send(kb.publicKey(), new byte[] {(byte) i});
                    Events.Packet p = eb.nextPacket(WAIT);
                    assertThat(p.data()).containsExactly((byte) i);
                }
                // The stuck write exceeds the write timeout: the slow connection is closed and counted. (Wait until
                // it is the only write in progress, so the clock jump cannot catch B's writer mid-flush.)
                await().atMost(WAIT).until(() -> relay.derpServer().writesInProgress() == 1);
                // Fill its queue for certain (on a busy machine the writer may have drained it meanwhile): 16 more
                // packets into a queue of 8 whose writer is stuck drop at least 8, and then the queue is full.
                long headDrops = relay.stats().dropped(DropReason.QUEUE_HEAD);
                for (int i = 0; i < 16; i++) {
                    a.send(kSlow.publicKey(), chunk);
                }
                await().atMost(WAIT).until(() -> relay.stats().dropped(DropReason.QUEUE_HEAD) >= headDrops + 8);
                clock.advance(Duration.ofSeconds(2));
                relay.derpServer().housekeeping();
                assertThat(relay.stats().writeTimeouts()).isEqualTo(1);
                await().atMost(WAIT).until(() -> !relay.derpServer().isConnected(kSlow.publicKey()));
                assertThat(relay.stats().dropped(DropReason.GONE_DISCONNECTED)).isPositive();
                a.send(kb.publicKey(), new byte[] {99});
                assertThat(eb.nextPacket(WAIT).data()).containsExactly(99);
            }
        }
    }

    @Test
    void keepAlivesFollowTheClock() throws Exception {
        ManualClock clock = ManualClock.atMillis(5_000_000);
        try (DerpRelayServer relay = DerpRelayServer.start(DerpRelayConfig.builder()
                        .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                        .clock(clock)
                        .build());
                RawDerp c = RawDerp.connected(relay.port(), NodePrivateKey.generate())) {
            relay.derpServer().housekeeping();
            assertThat(relay.stats().keepAlivesSent()).isZero();
            // ServerInfo may still be "being written" (the flag is cleared just after the bytes left): a 65 s jump
            // of the clock would then look like a stuck write.
            await().atMost(WAIT).until(() -> relay.derpServer().writesInProgress() == 0);
            clock.advance(Duration.ofSeconds(65)); // 60 s + at most 5 s of jitter
            relay.derpServer().housekeeping();
            assertThat(c.next()).isEqualTo(new Frame.KeepAlive());
            relay.derpServer().housekeeping(); // not due again yet
            await().atMost(WAIT).until(() -> relay.derpServer().writesInProgress() == 0);
            clock.advance(Duration.ofSeconds(65));
            relay.derpServer().housekeeping();
            assertThat(c.next()).isEqualTo(new Frame.KeepAlive());
            await().atMost(WAIT).until(() -> relay.stats().keepAlivesSent() == 2);
        }
    }
}
