package io.nexodus.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.wireguard.crypto.TransportCipher;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class CryptoPoolTest {
    @Test
    void everyIndexRunsExactlyOnceAndTheCallWaitsForAll() {
        try (CryptoPool pool = new CryptoPool(3, "t")) {
            for (int round = 0; round < 200; round++) {
                int n = round % 130;
                AtomicIntegerArray hits = new AtomicIntegerArray(130);
                pool.run(
                        n,
                        (i, c) -> {
                            assertThat(c).isNotNull();
                            hits.incrementAndGet(i);
                        },
                        new TransportCipher());
                for (int i = 0; i < 130; i++) {
                    assertThat(hits.get(i)).as("round %d index %d", round, i).isEqualTo(i < n ? 1 : 0);
                }
            }
        }
    }

    @Test
    void devicesWithCryptoWorkersKeepOrderAndData() throws Exception {
        try (DevicePair p = new DevicePair(Timings.DEFAULT, 2).connect()) {
            byte[][] sent = new byte[120][];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = Packets.ip("10.0.0.1", "10.0.0.2", 100 + i * 10);
            }
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 1));
            p.deliver();
            p.received(p.b);
            p.send(p.a, sent);
            p.deliver();
            assertThat(p.received(p.b)).containsExactly(sent);
        }
    }
}
