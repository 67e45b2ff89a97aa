package io.nexodus.derp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.crypto.NaclBox;
import io.nexodus.derp.frame.ClientInfo;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.FrameCodec;
import io.nexodus.derp.frame.PeerGoneReason;
import io.nexodus.derp.http.DerpRelayConfig;
import io.nexodus.derp.http.DerpRelayServer;
import io.nexodus.derp.testing.Events;
import io.nexodus.derp.testing.RawDerp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that lie or misbehave: each is refused or closed, counted by reason, and the relay keeps carrying the
 * honest clients' packets — with their true source keys only.
 */
class HostileClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private DerpRelayServer relay;
    private final NodePrivateKey ka = NodePrivateKey.generate();
    private final NodePrivateKey kb = NodePrivateKey.generate();
    private final Events ea = new Events();
    private final Events eb = new Events();
    private DerpClient a;
    private DerpClient b;

    @BeforeEach
    void start() throws Exception {
        relay = DerpRelayServer.start(DerpRelayConfig.builder()
                .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                .httpTimeout(Duration.ofSeconds(2))
                .handshakeTimeout(Duration.ofSeconds(1))
                .build());
        URI url = URI.create("http://127.0.0.1:" + relay.port());
        a = DerpClient.start(DerpClientConfig.builder(url, ka).build(), ea);
        b = DerpClient.start(DerpClientConfig.builder(url, kb).build(), eb);
        assertThat(a.awaitConnected(WAIT)).isTrue();
        assertThat(b.awaitConnected(WAIT)).isTrue();
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        relay.close();
    }

    private void honestTrafficStillFlows() throws Exception {
        byte[] msg = new byte[] {42};
        assertThat(a.send(kb.publicKey(), msg)).isTrue();
        Events.Packet p = eb.nextPacket(WAIT);
        assertThat(p.source()).isEqualTo(ka.publicKey());
        assertThat(p.data()).containsExactly(42);
    }

    @Test
    void framesClaimingAnotherSourceNeverDeliverAsThatSource() throws Exception {
        NodePrivateKey mallory = NodePrivateKey.generate();
        try (RawDerp m = RawDerp.connected(relay.port(), mallory)) {
            // RecvPacket names a source: from a client it is not a valid frame; skipped and counted.
            m.write(new Frame.RecvPacket(ka.publicKey(), new byte[] {6, 6, 6}));
            // SendPacket has no source field: it arrives as Mallory's, never as A's.
            m.write(new Frame.SendPacket(kb.publicKey(), new byte[] {7}));
            Events.Packet p = eb.nextPacket(WAIT);
            assertThat(p.source()).isEqualTo(mallory.publicKey());
            assertThat(p.data()).containsExactly(7);
            // ForwardPacket names a source: only mesh peers may send it. Mallory is cut off.
            m.write(new Frame.ForwardPacket(ka.publicKey(), kb.publicKey(), new byte[] {6, 6, 6}));
            assertThat(m.closedByServer()).isTrue();
        }
        await().atMost(WAIT).until(() -> relay.stats().closed(ConnectionCloseReason.INSUFFICIENT_PERMISSIONS) == 1);
        assertThat(relay.stats().unknownFrames()).isEqualTo(1);
        assertThat(eb.packets.poll(200, TimeUnit.MILLISECONDS)).isNull();
        honestTrafficStillFlows();
    }

    @Test
    void clientInfoForAKeyItDoesNotHoldIsRefused() throws Exception {
        NodePrivateKey mallory = NodePrivateKey.generate();
        try (RawDerp m = RawDerp.upgraded(relay.port())) {
            // Claims A's public key, but can only seal with its own private key.
            byte[] sealed = NaclBox.sealTo(
                    mallory,
                    m.serverKey,
                    ClientInfo.regular().toJson().getBytes(StandardCharsets.UTF_8),
                    new SecureRandom());
            m.write(new Frame.ClientInfoFrame(ka.publicKey(), sealed));
            assertThat(m.closedByServer()).isTrue();
        }
        await().atMost(WAIT).until(() -> relay.stats().closed(ConnectionCloseReason.HANDSHAKE_AUTH_FAILED) == 1);
        assertThat(relay.derpServer().isConnected(ka.publicKey())).isTrue(); // A's real connection is untouched
        honestTrafficStillFlows();
    }

    @Test
    void oversizedAndMalformedFramesCloseOnlyTheirConnection() throws Exception {
        try (RawDerp m = RawDerp.connected(relay.port(), NodePrivateKey.generate())) {
            m.writeRaw(new byte[] {0x04, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // 2 GiB SendPacket
            assertThat(m.closedByServer()).isTrue();
        }
        try (RawDerp m = RawDerp.connected(relay.port(), NodePrivateKey.generate())) {
            m.writeRaw(new byte[] {0x07, 0, 0, 0, 0}); // NotePreferred must be 1 byte
            assertThat(m.closedByServer()).isTrue();
        }
        try (RawDerp m = RawDerp.connected(relay.port(), NodePrivateKey.generate())) {
            m.writeRaw(new byte[] {0x04, 0, 0, 0, 4, 1, 2, 3, 4}); // SendPacket shorter than a key
            assertThat(m.closedByServer()).isTrue();
        }
        try (RawDerp m = RawDerp.upgraded(relay.port())) {
            m.writeRaw(new byte[] {0x02, 0, 0x10, 0, 0}); // a 1 MiB ClientInfo: over 256 KiB
            assertThat(m.closedByServer()).isTrue();
        }
        DerpServerStats s = relay.stats();
        assertThat(s.closed(ConnectionCloseReason.OVERSIZED_FRAME)).isEqualTo(1);
        assertThat(s.closed(ConnectionCloseReason.MALFORMED_FRAME)).isEqualTo(2);
        assertThat(s.closed(ConnectionCloseReason.BAD_HANDSHAKE)).isEqualTo(1);
        honestTrafficStillFlows();
    }

    @Test
    void garbageIsAnsweredWith400OrDropped() throws Exception {
        try (RawDerp m = RawDerp.open(relay.port())) {
            m.writeRaw("\u0016\u0003\u0001garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(m.in.readUpTo(12)).isEqualTo("HTTP/1.1 400");
        }
        try (RawDerp m = RawDerp.open(relay.port())) {
            m.writeRaw(("GET /derp HTTP/1.1\r\nHost: x\r\nX: " + "a".repeat(10_000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(m.in.readUpTo(12)).isEqualTo("HTTP/1.1 431");
        }
        try (RawDerp m = RawDerp.upgraded(relay.port())) {
            m.writeRaw(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0, 1, 2, 3, 4, 5, 6});
            assertThat(m.closedByServer()).isTrue();
        }
        try (RawDerp m = RawDerp.upgraded(relay.port())) {
            m.write(new Frame.SendPacket(kb.publicKey(), new byte[1])); // not ClientInfo first
            assertThat(m.closedByServer()).isTrue();
        }
        await().atMost(WAIT)
                .until(() -> relay.stats().closed(ConnectionCloseReason.HTTP_BAD_REQUEST) == 2
                        && relay.stats().closed(ConnectionCloseReason.BAD_HANDSHAKE) == 2);
        assertThat(eb.packets).isEmpty();
        honestTrafficStillFlows();
    }

    @Test
    void slowlorisIsCutOffByTheHttpAndHandshakeDeadlines() throws Exception {
        long t0 = System.nanoTime();
        try (RawDerp slow = RawDerp.open(relay.port());
                RawDerp silent = RawDerp.upgraded(relay.port())) {
            slow.writeRaw("GET /derp HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII)); // and never finishes
            assertThat(slow.closedByServer()).isTrue();
            assertThat(silent.closedByServer()).isTrue(); // upgraded, but no ClientInfo
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        await().atMost(WAIT)
                .until(() -> relay.stats().closed(ConnectionCloseReason.HTTP_TIMEOUT) == 1
                        && relay.stats().closed(ConnectionCloseReason.HANDSHAKE_TIMEOUT) == 1);
        honestTrafficStillFlows();
    }

    @Test
    void packetsToUnknownKeysAreDroppedAndCounted() throws Exception {
        assertThat(a.send(NodePrivateKey.generate().publicKey(), new byte[100])).isTrue();
        await().atMost(WAIT).until(() -> relay.stats().dropped(DropReason.UNKNOWN_DEST) == 1);
        assertThat(relay.stats().bytesDropped().get(DropReason.UNKNOWN_DEST)).isEqualTo(100);
        // Disco-shaped packets to unknown keys get PeerGone(NotHere), at most 3 in a burst.
        byte[] disco = new byte[62];
        System.arraycopy(new byte[] {0x54, 0x53, (byte) 0xf0, (byte) 0x9f, (byte) 0x92, (byte) 0xac}, 0, disco, 0, 6);
        var nobody = NodePrivateKey.generate().publicKey();
        for (int i = 0; i < 6; i++) {
            a.send(nobody, disco);
        }
        await().atMost(WAIT).until(() -> relay.stats().dropped(DropReason.UNKNOWN_DEST) == 7);
        assertThat(ea.nextGone(WAIT).reason()).isEqualTo(PeerGoneReason.NOT_HERE);
        assertThat(relay.stats().peerGoneNotHereFrames()).isEqualTo(3);
        assertThat(FrameCodec.HEADER_LENGTH).isEqualTo(5);
    }
}
