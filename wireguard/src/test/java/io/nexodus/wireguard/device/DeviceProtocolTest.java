package io.nexodus.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.wireguard.bind.UdpEndpoint;
import io.nexodus.wireguard.crypto.PresharedKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol between two devices in memory, on a manual clock: handshake, transport, rotation, checks. */
class DeviceProtocolTest {

    static long count(MemoryNetwork net, int type, UdpEndpoint from) {
        return net.log.stream()
                .filter(d -> d.data()[0] == type && (from == null || d.from().equals(from)))
                .count();
    }

    @Test
    void firstPacketStartsHandshakeThenFlowsBothWaysV4AndV6() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            byte[] v4 = Packets.ip("10.0.0.1", "10.0.0.2", 100);
            p.send(p.a, v4);
            assertThat(p.net.queued()).isEqualTo(1);
            assertThat(p.net.log.getFirst().data()).hasSize(148);
            p.deliver();
            assertThat(p.received(p.b)).containsExactly(v4);
            // The staged data packet confirmed the session: no separate keepalive from A.
            assertThat(p.net.log).extracting(d -> (int) d.data()[0]).containsExactly(1, 2, 4);

            byte[] back = Packets.ip("10.0.0.2", "10.0.0.1", 1300);
            byte[] v6 = Packets.ip("fd00::2", "fd00::1", 500);
            p.send(p.b, back, v6);
            p.deliver();
            assertThat(p.received(p.a)).containsExactly(back, v6);
            byte[] v6a = Packets.ip("fd00::1", "fd00::2", 0);
            p.send(p.a, v6a);
            p.deliver();
            assertThat(p.received(p.b)).containsExactly(v6a);

            PeerStats atA = p.a.peer(p.keyB.publicKey()).orElseThrow();
            PeerStats atB = p.b.peer(p.keyA.publicKey()).orElseThrow();
            assertThat(atA.lastHandshake()).isNotNull();
            assertThat(atB.lastHandshake()).isNotNull();
            assertThat(atB.endpoint()).isEqualTo(p.bindA.address);
            assertThat(atA.txBytes()).isEqualTo(atB.rxBytes());
            assertThat(atB.txBytes()).isEqualTo(atA.rxBytes());
            assertThat(p.a.drops().values()).allMatch(n -> n == 0);
            assertThat(p.b.drops().values()).allMatch(n -> n == 0);
        }
    }

    @Test
    void transportIsPaddedToSixteenAndKeepaliveIsThirtyTwoBytes() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 1)); // 21-byte packet
            p.deliver();
            MemoryNetwork.Datagram data =
                    p.net.log.stream().filter(d -> d.data()[0] == 4).findFirst().orElseThrow();
            assertThat(data.data().length).isEqualTo(16 + 32 + 16);
            p.peerOf(p.a).sendKeepalive();
            assertThat(p.net.log.getLast().data()).hasSize(32);
            p.deliver();
            assertThat(p.received(p.b)).hasSize(1); // the keepalive is not written to the TUN
        }
    }

    @Test
    void responderNeverSendsWithAnUnconfirmedSession() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            // Hold back A's transport messages so B never sees its session confirmed.
            p.net.intercept(d -> d.data()[0] == 4 && d.from().equals(p.bindA.address) ? null : d);
            p.peerOf(p.a).sendHandshakeInitiation(false);
            p.deliver();
            Peer atB = p.peerOf(p.b);
            assertThat(atB.keypairs.next).isNotNull();
            assertThat(atB.keypairs.current).isNull();
            int before = p.net.log.size();
            byte[] fromB = Packets.ip("10.0.0.2", "10.0.0.1", 10);
            p.send(p.b, fromB);
            // B must not encrypt with "next"; it just answered, so it may not initiate yet either: the packet waits.
            assertThat(p.net.log.size()).isEqualTo(before);
            // A's keepalive confirms the session; B switches to it and sends what waited.
            p.net.intercept(d -> d);
            p.peerOf(p.a).sendKeepalive();
            p.deliver();
            assertThat(atB.keypairs.current).isNotNull();
            assertThat(atB.keypairs.next).isNull();
            assertThat(p.received(p.a)).containsExactly(fromB);
        }
    }

    @Test
    void replayedTamperedUnknownAndTruncatedTransportIsDroppedAndCounted() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 64));
            p.deliver();
            assertThat(p.received(p.b)).hasSize(1);
            byte[] data = p.net.log.stream()
                    .filter(d -> d.data()[0] == 4)
                    .findFirst()
                    .orElseThrow()
                    .data();

            p.net.inject(p.bindA.address, p.bindB.address, data);
            p.deliver();
            assertThat(p.b.dropCount(DropReason.REPLAYED)).isEqualTo(1);

            byte[] tampered = data.clone();
            tampered[40] ^= 1;
            tampered[8] = 99; // a fresh counter, so it is not just a replay
            p.net.inject(p.bindA.address, p.bindB.address, tampered);
            p.deliver();
            assertThat(p.b.dropCount(DropReason.DECRYPT_FAILED)).isEqualTo(1);

            byte[] unknown = data.clone();
            unknown[4] ^= 0x55;
            p.net.inject(p.bindA.address, p.bindB.address, unknown);
            p.deliver();
            assertThat(p.b.dropCount(DropReason.UNKNOWN_INDEX)).isEqualTo(1);

            p.net.inject(p.bindA.address, p.bindB.address, Arrays.copyOf(data, 31));
            p.net.inject(p.bindA.address, p.bindB.address, Arrays.copyOf(data, 100));
            p.net.inject(p.bindA.address, p.bindB.address, new byte[] {9, 0, 0, 0});
            p.deliver();
            assertThat(p.b.dropCount(DropReason.MALFORMED)).isEqualTo(2);
            assertThat(p.b.dropCount(DropReason.DECRYPT_FAILED)).isEqualTo(2);
            assertThat(p.received(p.b)).isEmpty();

            // The session still works.
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 64));
            p.deliver();
            assertThat(p.received(p.b)).hasSize(1);
        }
    }

    @Test
    void replayedInitiationAndForeignKeysAreRefused() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            byte[] init = p.net.log.getFirst().data();
            p.net.inject(p.bindA.address, p.bindB.address, init);
            p.deliver();
            assertThat(p.b.dropCount(DropReason.HANDSHAKE_REPLAYED)).isEqualTo(1);

            // A stranger who knows B's public key (so mac1 is right) but is not a configured peer.
            MemoryNetwork.MemoryBind bindC = p.net.bind("192.0.2.3");
            Device c = Device.builder()
                    .noTun("wgC")
                    .bind(bindC)
                    .privateKey(NodePrivateKey.generate())
                    .scheduler(p.clock)
                    .manual()
                    .build();
            c.setPeer(PeerConfig.of(p.keyB.publicKey(), p.bindB.address, "10.0.0.2/32"));
            c.peerByKey(p.keyB.publicKey().toRaw()).sendHandshakeInitiation(false);
            p.deliver();
            assertThat(p.b.dropCount(DropReason.HANDSHAKE_FAILED)).isEqualTo(1);

            // Someone who has the wrong public key for B: mac1 does not match.
            c.setPeer(PeerConfig.of(NodePrivateKey.generate().publicKey(), p.bindB.address, "10.0.0.3/32"));
            c.peers().stream()
                    .filter(s -> !s.publicKey().equals(p.keyB.publicKey()))
                    .findFirst()
                    .map(s -> c.peerByKey(s.publicKey().toRaw()))
                    .orElseThrow()
                    .sendHandshakeInitiation(false);
            p.deliver();
            assertThat(p.b.dropCount(DropReason.INVALID_MAC1)).isEqualTo(1);
            c.close();
        }
    }

    @Test
    void spoofedInnerSourceIsDropped() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.send(p.a, Packets.ip("10.0.0.99", "10.0.0.2", 20));
            p.deliver();
            assertThat(p.received(p.b)).isEmpty();
            assertThat(p.b.dropCount(DropReason.SOURCE_NOT_ALLOWED)).isEqualTo(1);
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.3", 20));
            assertThat(p.a.dropCount(DropReason.NO_ROUTE)).isEqualTo(1);
        }
    }

    @Test
    void innerPacketWithBadLengthIsDropped() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            byte[] bad = Packets.ip("10.0.0.1", "10.0.0.2", 20);
            bad[2] = 0x7f; // total length beyond the packet
            p.send(p.a, bad);
            p.deliver();
            assertThat(p.b.dropCount(DropReason.INVALID_INNER_PACKET)).isEqualTo(1);
        }
    }

    @Test
    void endpointRoamsToTheSourceOfAuthenticatedPackets() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            UdpEndpoint old = p.bindA.address;
            assertThat(p.b.peer(p.keyA.publicKey()).orElseThrow().endpoint()).isEqualTo(old);
            p.a.setListenPort(40999);
            assertThat(p.a.listenPort()).isEqualTo(40999);
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            assertThat(p.b.peer(p.keyA.publicKey()).orElseThrow().endpoint())
                    .isEqualTo(p.bindA.address)
                    .isNotEqualTo(old);
            // An unauthenticated packet from elsewhere does not move it.
            p.net.inject(UdpEndpoint.parse("198.51.100.7:1"), p.bindB.address, new byte[64]);
            p.deliver();
            assertThat(p.b.peer(p.keyA.publicKey()).orElseThrow().endpoint()).isEqualTo(p.bindA.address);
            // B's reply goes to the new address.
            p.send(p.b, Packets.ip("10.0.0.2", "10.0.0.1", 8));
            p.deliver();
            assertThat(p.received(p.a)).hasSize(1);
        }
    }

    @Test
    void cookieReplyUnderLoadThenMac2LetsTheHandshakeThrough() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.b.handshakes.forceUnderLoad = true;
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            assertThat(p.b.dropCount(DropReason.COOKIE_REQUIRED)).isEqualTo(1);
            assertThat(count(p.net, 3, p.bindB.address)).isEqualTo(1);
            assertThat(p.a.dropCount(DropReason.INVALID_COOKIE_REPLY)).isZero();
            assertThat(p.received(p.b)).isEmpty();
            // The retransmission 5 s later carries mac2 and is accepted.
            p.advance(Duration.ofMillis(5400));
            assertThat(p.received(p.b)).hasSize(1);
            assertThat(p.b.dropCount(DropReason.COOKIE_REQUIRED)).isEqualTo(1);
        }
    }

    @Test
    void removedPeerStopsAndLeavesNothingBehind() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            assertThat(p.received(p.b)).hasSize(1);
            assertThat(p.b.indexTable.size()).isEqualTo(1);
            assertThat(p.b.removePeer(p.keyA.publicKey())).isTrue();
            assertThat(p.b.peers()).isEmpty();
            assertThat(p.b.indexTable.size()).isZero();
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            assertThat(p.received(p.b)).isEmpty();
            assertThat(p.b.dropCount(DropReason.UNKNOWN_INDEX)).isEqualTo(1);
            p.send(p.b, Packets.ip("10.0.0.2", "10.0.0.1", 8));
            assertThat(p.b.dropCount(DropReason.NO_ROUTE)).isEqualTo(1);
            assertThat(p.clock.pending()).isLessThan(10);
        }
    }

    @Test
    void privateKeyChangeExpiresSessionsAndNeedsNewPeerConfig() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            assertThat(p.received(p.b)).hasSize(1);
            NodePrivateKey newA = NodePrivateKey.generate();
            p.a.setPrivateKey(newA);
            assertThat(p.a.publicKey()).isEqualTo(newA.publicKey());
            p.b.setPeer(PeerConfig.of(newA.publicKey(), null, "10.0.0.1/32"));
            p.b.removePeer(p.keyA.publicKey());
            int before = p.net.log.size();
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            assertThat(p.net.log.get(before).data()[0]).isEqualTo((byte) 1); // a new handshake, not old-key data
            p.deliver();
            assertThat(p.received(p.b)).hasSize(1);
        }
    }

    @Test
    void presharedKeyMustMatch() throws Exception {
        try (DevicePair p = new DevicePair()) {
            PresharedKey psk = PresharedKey.generate();
            p.a.setPeer(new PeerConfig(
                    p.keyB.publicKey(), psk, p.bindB.address, List.of(IpPrefix.parse("10.0.0.2/32")), 0));
            p.b.setPeer(new PeerConfig(p.keyA.publicKey(), psk, null, List.of(IpPrefix.parse("10.0.0.1/32")), 0));
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            assertThat(p.received(p.b)).hasSize(1);
            assertThat(p.a.peer(p.keyB.publicKey()).orElseThrow().presharedKey())
                    .isEqualTo(psk);

            p.b.setPeer(new PeerConfig(
                    p.keyA.publicKey(), PresharedKey.generate(), null, List.of(IpPrefix.parse("10.0.0.1/32")), 0));
            p.advance(Duration.ofSeconds(6));
            p.peerOf(p.a).sendHandshakeInitiation(false);
            p.deliver();
            assertThat(p.a.dropCount(DropReason.HANDSHAKE_FAILED)).isEqualTo(1);
        }
    }
}
