package io.nexodus.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.bind.UdpEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated datagrams (mutations of real handshake, cookie and transport messages) thrown at a live device
 * for about two seconds: nothing may escape the receive path, every datagram is either accepted or counted as a drop,
 * and the session still works afterwards.
 */
class ReceiveFuzzTest {
    @Test
    void garbageAndMutationsNeverCrashTheReceivePath() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.b.handshakes.forceUnderLoad = false;
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 100));
            p.deliver();
            p.send(p.b, Packets.ip("10.0.0.2", "10.0.0.1", 100));
            p.deliver();
            p.received(p.a);
            p.received(p.b);
            List<byte[]> seeds = new ArrayList<>();
            for (MemoryNetwork.Datagram d : p.net.log) {
                seeds.add(d.data());
            }
            p.b.handshakes.forceUnderLoad = true; // also drive the cookie paths
            Random r = new Random(7);
            UdpEndpoint src = UdpEndpoint.parse("203.0.113.9:999");
            PacketBatch batch = new PacketBatch(16, 65536);
            long deadline = System.nanoTime() + 2_000_000_000L;
            long sent = 0;
            while (System.nanoTime() < deadline) {
                int n = 1 + r.nextInt(16);
                for (int i = 0; i < n; i++) {
                    byte[] d = mutate(r, seeds.get(r.nextInt(seeds.size())));
                    System.arraycopy(d, 0, batch.buffer(i), 0, d.length);
                    batch.set(i, 0, d.length, r.nextBoolean() ? src : p.bindA.address);
                }
                batch.count(n);
                Device target = r.nextBoolean() ? p.a : p.b;
                target.receive(batch);
                sent += n;
                p.received(p.a);
                p.received(p.b);
            }
            long dropped = p.a.drops().values().stream()
                            .mapToLong(Long::longValue)
                            .sum()
                    + p.b.drops().values().stream().mapToLong(Long::longValue).sum();
            assertThat(dropped).isPositive();
            assertThat(sent).isGreaterThan(1000);
            p.b.handshakes.forceUnderLoad = false;
            p.net.intercept(d -> d);
            // The real session survived the storm (a fresh handshake is fine too).
            p.clock.advance(Duration.ofSeconds(6));
            p.net.deliverAll();
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 100));
            p.deliver();
            p.clock.advance(Duration.ofSeconds(6));
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 100));
            p.deliver();
            assertThat(p.received(p.b)).isNotEmpty();
        }
    }

    static byte[] mutate(Random r, byte[] seed) {
        return switch (r.nextInt(6)) {
            case 0 -> { // pure garbage of any size
                byte[] g = new byte[r.nextInt(200)];
                r.nextBytes(g);
                if (g.length > 0 && r.nextBoolean()) {
                    g[0] = (byte) (1 + r.nextInt(4));
                }
                yield g;
            }
            case 1 -> Arrays.copyOf(seed, r.nextInt(seed.length + 1)); // truncate
            case 2 -> Arrays.copyOf(seed, seed.length + 1 + r.nextInt(64)); // extend
            case 3 -> seed.clone(); // replay as is
            default -> { // flip a few bytes
                byte[] m = seed.clone();
                for (int k = 0; k <= r.nextInt(4); k++) {
                    m[r.nextInt(m.length)] ^= (byte) (1 + r.nextInt(255));
                }
                yield m;
            }
        };
    }
}
