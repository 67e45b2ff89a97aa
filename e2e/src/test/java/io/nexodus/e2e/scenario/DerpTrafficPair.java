package io.nexodus.e2e.scenario;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lab process: two well-behaved DERP clients A and B on one relay sending numbered packets to each other at a
 * steady rate for a fixed time, to show their traffic keeps flowing while a hostile client attacks the relay. Prints
 * {@code KEYS a=HEX b=HEX} once both are connected, and at the end
 * {@code RESULT sent=N received=N maxGapMs=N forged=N}: packets both ways, the longest silence on either receiver
 * after its first packet, and packets that arrived from a peer's key without the pair's own marker (a forged source).
 *
 * <pre>DerpTrafficPair RELAY_URL CA_FILE SECONDS PACKETS_PER_SECOND</pre>
 */
public final class DerpTrafficPair {
    private static final long MARKER = 0x6e65786f64757321L; // "nexodus!"

    private DerpTrafficPair() {}

    /** One receiving side. */
    private static final class Receiver implements DerpClientListener {
        private final AtomicLong received = new AtomicLong();
        private final AtomicLong forged = new AtomicLong();
        private volatile NodePublicKey peer;
        private long lastNanos;
        private long maxGapNanos;

        @Override
        public synchronized void onPacket(NodePublicKey source, byte[] packet) {
            if (!source.equals(peer)) {
                return; // someone else, under their own key: allowed, and not ours to count
            }
            if (packet.length != 16 || ByteBuffer.wrap(packet).getLong() != MARKER) {
                forged.incrementAndGet();
                return;
            }
            long now = System.nanoTime();
            if (lastNanos != 0) {
                maxGapNanos = Math.max(maxGapNanos, now - lastNanos);
            }
            lastNanos = now;
            received.incrementAndGet();
        }

        synchronized long maxGapMillis(long endNanos) {
            return Math.max(maxGapNanos, lastNanos == 0 ? 0 : endNanos - lastNanos) / 1_000_000;
        }
    }

    public static void main(String[] args) throws Exception {
        URI relay = URI.create(args[0]);
        var ssl = TrustBundles.trusting(Path.of(args[1]));
        long seconds = Long.parseLong(args[2]);
        int rate = Integer.parseInt(args[3]);
        Receiver ra = new Receiver();
        Receiver rb = new Receiver();
        NodePrivateKey ka = NodePrivateKey.generate();
        NodePrivateKey kb = NodePrivateKey.generate();
        ra.peer = kb.publicKey();
        rb.peer = ka.publicKey();
        try (DerpClient a = DerpClient.start(
                        DerpClientConfig.builder(relay, ka).sslContext(ssl).build(), ra);
                DerpClient b = DerpClient.start(
                        DerpClientConfig.builder(relay, kb).sslContext(ssl).build(), rb)) {
            if (!a.awaitConnected(Duration.ofSeconds(30)) || !b.awaitConnected(Duration.ofSeconds(30))) {
                System.out.println("FAILED cannot connect to " + relay);
                System.exit(1);
            }
            // B must be registered before A's first packet: wait for one round trip each way
            long sent = 0;
            long periodNanos = 1_000_000_000L / rate;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            boolean announced = false;
            for (long next = start; next < end; next += periodNanos) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                byte[] p = ByteBuffer.allocate(16).putLong(MARKER).putLong(sent).array();
                a.send(kb.publicKey(), p);
                b.send(ka.publicKey(), p);
                sent += 2;
                if (!announced && ra.received.get() > 0 && rb.received.get() > 0) {
                    System.out.println("KEYS a=" + ka.publicKey().toHex() + " b="
                            + kb.publicKey().toHex());
                    System.out.flush();
                    announced = true;
                }
            }
            Thread.sleep(300); // the last packets in flight
            long now = System.nanoTime();
            System.out.println("RESULT sent=" + sent + " received=" + (ra.received.get() + rb.received.get())
                    + " maxGapMs=" + Math.max(ra.maxGapMillis(now - 300_000_000L), rb.maxGapMillis(now - 300_000_000L))
                    + " forged=" + (ra.forged.get() + rb.forged.get()));
            System.out.flush();
        }
    }
}
