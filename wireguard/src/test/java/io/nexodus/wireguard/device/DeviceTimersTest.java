package io.nexodus.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.wireguard.bind.UdpEndpoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every protocol timer (whitepaper §6, wireguard-go timers.go), on a manual clock: nothing here sleeps. */
class DeviceTimersTest {

    private static List<Integer> typesFrom(MemoryNetwork net, UdpEndpoint from, int since) {
        return net.log.subList(since, net.log.size()).stream()
                .filter(d -> d.from().equals(from))
                .map(d -> (int) d.data()[0])
                .toList();
    }

    private static DevicePair established() throws Exception {
        DevicePair p = new DevicePair().connect();
        p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
        p.deliver();
        assertThat(p.received(p.b)).hasSize(1);
        return p;
    }

    @Test
    void passiveKeepaliveTenSecondsAfterReceivingData() throws Exception {
        try (DevicePair p = established()) {
            int mark = p.net.log.size();
            p.advance(Duration.ofMillis(9_900));
            assertThat(typesFrom(p.net, p.bindB.address, mark)).isEmpty();
            p.advance(Duration.ofMillis(200));
            // B heard data and said nothing for 10 s: one keepalive (32 bytes).
            assertThat(typesFrom(p.net, p.bindB.address, mark)).containsExactly(4);
            assertThat(p.net.log.getLast().data()).hasSize(32);
        }
    }

    @Test
    void newHandshakeWhenDataGetsNoAnswerForFifteenSeconds() throws Exception {
        try (DevicePair p = established()) {
            // A just sent data; B goes silent (not even its passive keepalive gets through).
            p.net.intercept(d -> d.from().equals(p.bindB.address) ? null : d);
            int mark = p.net.log.size();
            p.advance(Duration.ofMillis(14_990));
            assertThat(typesFrom(p.net, p.bindA.address, mark)).isEmpty();
            p.advance(Duration.ofMillis(350)); // 10 + 5 s + up to 333 ms of jitter
            assertThat(typesFrom(p.net, p.bindA.address, mark)).containsExactly(1);
        }
    }

    @Test
    void retransmitsEveryFiveSecondsThenGivesUpAfterNinety() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.net.intercept(d -> null); // a black hole
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            assertThat(p.net.log).hasSize(1);
            p.advance(Duration.ofMillis(4_999));
            assertThat(p.net.log).hasSize(1);
            p.advance(Duration.ofMillis(340));
            assertThat(p.net.log).hasSize(2);
            p.advance(Duration.ofMinutes(2));
            // The first initiation plus one retry per 5 s while attempts <= 18: 20 in all, then it gives up.
            assertThat(p.net.log).hasSize(20).allMatch(d -> d.data()[0] == 1);
            assertThat(p.a.dropCount(DropReason.STAGED_OVERFLOW)).isEqualTo(1); // the waiting packet was flushed
            p.advance(Duration.ofMinutes(10));
            assertThat(p.net.log).hasSize(20);
        }
    }

    @Test
    void initiatorRekeysAfterTwoMinutesOfSending() throws Exception {
        try (DevicePair p = established()) {
            Keypair first = p.peerOf(p.a).keypairs.current;
            p.advance(Duration.ofSeconds(119));
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            assertThat(p.peerOf(p.a).keypairs.current).isSameAs(first);
            p.advance(Duration.ofSeconds(2));
            int mark = p.net.log.size();
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            assertThat(typesFrom(p.net, p.bindA.address, mark)).containsExactly(4, 1);
            p.deliver();
            Peer a = p.peerOf(p.a);
            assertThat(a.keypairs.current).isNotSameAs(first);
            assertThat(a.keypairs.previous).isSameAs(first);
            assertThat(p.received(p.b)).hasSize(2);
            // The responder does not rekey by time: B's sessions are only ever made by A here.
            assertThat(typesFrom(p.net, p.bindB.address, 0)).doesNotContain(1);
        }
    }

    @Test
    void initiatorRekeysOnReceiveBeforeTheSessionExpires() throws Exception {
        try (DevicePair p = established()) {
            p.advance(Duration.ofSeconds(164));
            int mark = p.net.log.size();
            p.send(p.b, Packets.ip("10.0.0.2", "10.0.0.1", 8));
            p.deliver();
            assertThat(typesFrom(p.net, p.bindA.address, mark)).doesNotContain(1);
            p.advance(Duration.ofSeconds(2)); // 166 s > 180 - 10 - 5
            mark = p.net.log.size();
            p.send(p.b, Packets.ip("10.0.0.2", "10.0.0.1", 8));
            p.net.deliverAll();
            assertThat(typesFrom(p.net, p.bindA.address, mark)).contains(1);
        }
    }

    @Test
    void sessionsAreRejectedAfterThreeMinutes() throws Exception {
        try (DevicePair p = established()) {
            p.net.intercept(d -> null);
            p.advance(Duration.ofSeconds(181));
            int mark = p.net.log.size();
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            // No data under the expired session: the packet waits for a handshake.
            assertThat(typesFrom(p.net, p.bindA.address, mark)).containsExactly(1);
            // And B refuses transport under a session that old.
            Keypair atB = p.peerOf(p.b).keypairs.current;
            byte[] late = new byte[48];
            late[0] = 4;
            Messages.putLe32(late, 4, atB.localIndex);
            p.net.intercept(d -> d);
            p.net.inject(p.bindA.address, p.bindB.address, late);
            p.net.deliverAll();
            assertThat(p.b.dropCount(DropReason.EXPIRED_SESSION)).isEqualTo(1);
        }
    }

    @Test
    void keyMaterialIsErasedAfterNineMinutesWithoutHandshake() throws Exception {
        try (DevicePair p = established()) {
            p.net.intercept(d -> null);
            p.advance(Duration.ofSeconds(539));
            assertThat(p.peerOf(p.b).keypairs.current).isNotNull();
            p.advance(Duration.ofSeconds(2));
            assertThat(p.peerOf(p.b).keypairs.current).isNull();
            assertThat(p.peerOf(p.b).keypairs.previous).isNull();
            assertThat(p.b.indexTable.size()).isZero();
        }
    }

    @Test
    void persistentKeepaliveSendsOnceWhenTurnedOnAndThenEveryInterval() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.a.setPeer(new PeerConfig(
                    p.keyB.publicKey(), null, p.bindB.address, List.of(IpPrefix.parse("10.0.0.2/32")), 25));
            p.deliver();
            assertThat(p.peerOf(p.a).keypairs.current)
                    .as("the keepalive started a session")
                    .isNotNull();
            int mark = p.net.log.size();
            p.advance(Duration.ofSeconds(24));
            assertThat(typesFrom(p.net, p.bindA.address, mark)).isEmpty();
            p.advance(Duration.ofSeconds(2));
            assertThat(typesFrom(p.net, p.bindA.address, mark)).containsExactly(4);
            p.advance(Duration.ofSeconds(25));
            assertThat(typesFrom(p.net, p.bindA.address, mark)).containsExactly(4, 4);
            p.a.setPeer(PeerConfig.of(p.keyB.publicKey(), null, "10.0.0.2/32"));
            p.advance(Duration.ofSeconds(60));
            assertThat(typesFrom(p.net, p.bindA.address, mark)).containsExactly(4, 4);
        }
    }

    @Test
    void handshakeFloodWithinTwentyMillisecondsIsRefused() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            Peer a = p.peerOf(p.a);
            a.sendHandshakeInitiation(false);
            p.deliver();
            // Two fresh initiations 1 ms apart (bypassing A's own 5 s limit): the second is a flood.
            synchronized (a.handshake) {
                a.handshake.anySent = false;
            }
            p.clock.advance(Duration.ofMillis(30));
            a.sendHandshakeInitiation(false);
            synchronized (a.handshake) {
                a.handshake.anySent = false;
            }
            p.clock.advance(Duration.ofMillis(1));
            a.sendHandshakeInitiation(false);
            p.deliver();
            assertThat(p.b.dropCount(DropReason.HANDSHAKE_FLOOD) + p.b.dropCount(DropReason.HANDSHAKE_REPLAYED))
                    .isEqualTo(1);
        }
    }

    @Test
    void shortenedTimingsRekeyQuickly() throws Exception {
        Timings fast = Timings.parse("rekeyAfterTime=3s,rejectAfterTime=9s,keepaliveTimeout=1s,rekeyTimeout=1s");
        try (DevicePair p = new DevicePair(fast).connect()) {
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            Keypair first = p.peerOf(p.a).keypairs.current;
            p.advance(Duration.ofMillis(3100));
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            assertThat(p.peerOf(p.a).keypairs.current)
                    .as(
                            "%s %s %s",
                            p.a.drops(),
                            p.b.drops(),
                            p.net.log.stream()
                                    .map(d -> d.from().port() + ":" + d.data()[0])
                                    .toList())
                    .isNotSameAs(first);
            assertThat(p.received(p.b)).hasSize(2);
        }
    }
}
