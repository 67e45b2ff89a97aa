package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.tun.MemoryTun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Two devices, A (10.0.0.1, fd00::1) and B (10.0.0.2, fd00::2), on a {@link MemoryNetwork}, driven by hand on one
 * {@link ManualScheduler}: no threads, so every step of a test is deterministic.
 */
final class DevicePair implements AutoCloseable {
    final ManualScheduler clock = new ManualScheduler();
    final MemoryNetwork net = new MemoryNetwork();
    final NodePrivateKey keyA = NodePrivateKey.generate();
    final NodePrivateKey keyB = NodePrivateKey.generate();
    final MemoryNetwork.MemoryBind bindA = net.bind("192.0.2.1");
    final MemoryNetwork.MemoryBind bindB = net.bind("192.0.2.2");
    final MemoryTun tunA = new MemoryTun("wgA", 1420);
    final MemoryTun tunB = new MemoryTun("wgB", 1420);
    final Device a;
    final Device b;

    DevicePair(Timings timings) throws Exception {
        this(timings, 0);
    }

    DevicePair(Timings timings, int cryptoWorkers) throws Exception {
        clock.afterEachTask(net::deliverAll);
        a = Device.builder()
                .tun(tunA)
                .bind(bindA)
                .privateKey(keyA)
                .listenPort(51820)
                .scheduler(clock)
                .timings(timings)
                .cryptoWorkers(cryptoWorkers)
                .manual()
                .build();
        b = Device.builder()
                .tun(tunB)
                .bind(bindB)
                .privateKey(keyB)
                .listenPort(51821)
                .scheduler(clock)
                .timings(timings)
                .cryptoWorkers(cryptoWorkers)
                .manual()
                .build();
    }

    DevicePair() throws Exception {
        this(Timings.DEFAULT);
    }

    /** A knows B's endpoint; B learns A's from the handshake. */
    DevicePair connect() throws Exception {
        a.setPeer(PeerConfig.of(keyB.publicKey(), bindB.address, "10.0.0.2/32", "fd00::2/128"));
        b.setPeer(PeerConfig.of(keyA.publicKey(), null, "10.0.0.1/32", "fd00::1/128"));
        return this;
    }

    /** Hands packets to A's (or B's) outbound path as if read from its TUN. */
    void send(Device d, byte[]... packets) {
        MemoryTun t = d == a ? tunA : tunB;
        for (byte[] p : packets) {
            t.inject(p);
        }
        PacketBatch batch = new PacketBatch(64, 65536);
        while (t.drainInto(batch) > 0) {
            d.outbound.process(batch);
        }
    }

    List<byte[]> received(Device d) {
        MemoryTun t = d == a ? tunA : tunB;
        List<byte[]> out = new ArrayList<>();
        byte[] p;
        while ((p = t.poll()) != null) {
            out.add(p);
        }
        return out;
    }

    void advance(Duration d) {
        clock.advance(d);
        net.deliverAll();
    }

    int deliver() {
        return net.deliverAll();
    }

    Peer peerOf(Device d) {
        NodePublicKey other = d == a ? keyB.publicKey() : keyA.publicKey();
        return d.peerByKey(other.toRaw());
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
