package io.nexodus.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.wireguard.device.PacketFilter.Verdict;
import io.nexodus.wireguard.tun.MemoryTun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The packet-filter hook in both packet paths: what it sees, where it cuts, how drops are counted, run-time swaps. */
class PacketFilterTest {

    /** What a filter saw: direction, peer and a copy of the packet. */
    static final class Call {
        private final boolean inbound;
        private final NodePublicKey peer;
        private final byte[] packet;

        Call(boolean inbound, NodePublicKey peer, byte[] packet) {
            this.inbound = inbound;
            this.peer = peer;
            this.packet = packet;
        }

        boolean inbound() {
            return inbound;
        }

        NodePublicKey peer() {
            return peer;
        }

        byte[] packet() {
            return packet;
        }
    }

    /** Records every call; drops the packets {@code drop} matches (in both directions). */
    static final class RecordingFilter implements PacketFilter {
        final List<Call> calls = new ArrayList<>();
        private final Predicate<byte[]> drop;

        RecordingFilter(Predicate<byte[]> drop) {
            this.drop = drop;
        }

        @Override
        public synchronized Verdict inbound(NodePublicKey peer, byte[] buf, int offset, int length) {
            return decide(true, peer, Arrays.copyOfRange(buf, offset, offset + length));
        }

        @Override
        public synchronized Verdict outbound(NodePublicKey peer, byte[] buf, int offset, int length) {
            return decide(false, peer, Arrays.copyOfRange(buf, offset, offset + length));
        }

        private Verdict decide(boolean inbound, NodePublicKey peer, byte[] packet) {
            calls.add(new Call(inbound, peer, packet));
            return drop.test(packet) ? Verdict.DROP : Verdict.ACCEPT;
        }
    }

    /** Accepts or drops everything. */
    record Fixed(Verdict verdict) implements PacketFilter {
        @Override
        public Verdict inbound(NodePublicKey peer, byte[] buf, int offset, int length) {
            return verdict;
        }

        @Override
        public Verdict outbound(NodePublicKey peer, byte[] buf, int offset, int length) {
            return verdict;
        }
    }

    static long transportMessages(MemoryNetwork net) {
        return DeviceProtocolTest.count(net, Messages.TYPE_TRANSPORT, null);
    }

    @Test
    void inboundSeesThePlainPacketAndItsPeerAndADropNeverReachesTheTun() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            byte[] allowed = Packets.ip("10.0.0.1", "10.0.0.2", 100);
            byte[] refused = Packets.ip("10.0.0.1", "10.0.0.2", 101); // padded to the same 16-byte boundary on the wire
            RecordingFilter f = new RecordingFilter(pkt -> pkt.length == refused.length);
            p.b.packetFilter(f);

            p.send(p.a, allowed, refused, allowed);
            p.deliver();

            assertThat(p.received(p.b)).containsExactly(allowed, allowed);
            assertThat(p.b.dropCount(DropReason.FILTERED_INBOUND)).isEqualTo(1);
            assertThat(p.b.dropCount(DropReason.FILTERED_OUTBOUND)).isZero();
            // The refused packet did cross the wire: the filter cut it after decryption, not the network.
            assertThat(transportMessages(p.net)).isEqualTo(3);
            assertThat(f.calls).extracting(Call::inbound).containsOnly(true);
            assertThat(f.calls).extracting(Call::peer).containsOnly(p.keyA.publicKey());
            // Exactly the IP packet: no transport header, no padding.
            assertThat(f.calls).extracting(Call::packet).containsExactly(allowed, refused, allowed);
            assertThat(p.peerOf(p.b).stats().rxBytes()).isPositive(); // an authenticated packet still counts as such
        }
    }

    @Test
    void outboundDropNeverReachesTheWireNorStartsAHandshake() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            RecordingFilter f = new RecordingFilter(pkt -> pkt[9] == 17);
            p.a.packetFilter(f);
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 10));
            p.deliver();
            assertThat(p.net.log).isEmpty(); // not even a handshake initiation
            assertThat(p.a.dropCount(DropReason.FILTERED_OUTBOUND)).isEqualTo(1);

            byte[] v6 = Packets.ip("fd00::1", "fd00::2", 30); // byte 9 is part of the source address: it passes
            p.send(p.a, v6);
            p.deliver();
            assertThat(p.received(p.b)).containsExactly(v6);

            byte[] refused = Packets.ip("10.0.0.1", "10.0.0.2", 10);
            long before = transportMessages(p.net);
            p.send(p.a, refused, refused);
            p.deliver();
            assertThat(transportMessages(p.net)).isEqualTo(before);
            assertThat(p.received(p.b)).isEmpty();
            assertThat(p.a.dropCount(DropReason.FILTERED_OUTBOUND)).isEqualTo(3);
            assertThat(f.calls).extracting(Call::inbound).containsOnly(false);
            assertThat(f.calls).extracting(Call::peer).containsOnly(p.keyB.publicKey());
            assertThat(f.calls.get(1).packet()).isEqualTo(v6);
        }
    }

    /** Sends one packet from A to B and returns how many B's TUN got. */
    static int sendOneFromAToB(DevicePair p) {
        p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 40));
        p.deliver();
        return p.received(p.b).size();
    }

    @Test
    void aFilterSwappedAtRunTimeAppliesFromTheNextBatch() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            assertThat(sendOneFromAToB(p)).isEqualTo(1);
            p.b.packetFilter(new Fixed(Verdict.DROP));
            assertThat(sendOneFromAToB(p)).isZero();
            PacketFilter accept = new Fixed(Verdict.ACCEPT);
            p.b.packetFilter(accept);
            assertThat(p.b.packetFilter()).isSameAs(accept);
            assertThat(sendOneFromAToB(p)).isEqualTo(1);
            p.a.packetFilter(new Fixed(Verdict.DROP));
            assertThat(sendOneFromAToB(p)).isZero();
            p.a.packetFilter(null);
            assertThat(sendOneFromAToB(p)).isEqualTo(1);
            assertThat(p.b.dropCount(DropReason.FILTERED_INBOUND)).isEqualTo(1);
            assertThat(p.a.dropCount(DropReason.FILTERED_OUTBOUND)).isEqualTo(1);
        }
    }

    @Test
    void aFilterThatThrowsRefusesThePacket() throws Exception {
        try (DevicePair p = new DevicePair().connect()) {
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            p.received(p.b);
            p.b.packetFilter(new PacketFilter() {
                @Override
                public Verdict inbound(NodePublicKey peer, byte[] buf, int offset, int length) {
                    throw new IllegalStateException("broken rule table");
                }

                @Override
                public Verdict outbound(NodePublicKey peer, byte[] buf, int offset, int length) {
                    return Verdict.ACCEPT;
                }
            });
            p.send(p.a, Packets.ip("10.0.0.1", "10.0.0.2", 8));
            p.deliver();
            assertThat(p.received(p.b)).isEmpty();
            assertThat(p.b.dropCount(DropReason.FILTERED_INBOUND)).isEqualTo(1);
            // The device keeps working: the reply direction is not filtered.
            byte[] back = Packets.ip("10.0.0.2", "10.0.0.1", 8);
            p.send(p.b, back);
            p.deliver();
            assertThat(p.received(p.a)).containsExactly(back);
        }
    }

    /**
     * Two devices with their own packet threads; a pump thread plays the network. While packets stream from A to B,
     * both filters flip between accepting and dropping everything: every packet is then either delivered or counted
     * once under one filter drop reason, never lost otherwise and never both.
     */
    @Test
    void swappingFiltersUnderTrafficLosesNothingUncounted() throws Exception {
        MemoryNetwork net = new MemoryNetwork();
        MemoryNetwork.MemoryBind bindA = net.bind("192.0.2.1");
        MemoryNetwork.MemoryBind bindB = net.bind("192.0.2.2");
        MemoryTun tunA = new MemoryTun("wgA", 1420, 4096);
        MemoryTun tunB = new MemoryTun("wgB", 1420, 4096);
        NodePrivateKey keyA = NodePrivateKey.generate();
        NodePrivateKey keyB = NodePrivateKey.generate();
        AtomicBoolean pumping = new AtomicBoolean(true);
        Thread pump = Thread.ofPlatform().name("test-network").start(() -> {
            while (pumping.get()) {
                if (net.deliverAll() == 0) {
                    LockSupport.parkNanos(50_000);
                }
            }
        });
        try (Device a = Device.builder().tun(tunA).bind(bindA).privateKey(keyA).build();
                Device b =
                        Device.builder().tun(tunB).bind(bindB).privateKey(keyB).build()) {
            a.setPeer(PeerConfig.of(keyB.publicKey(), bindB.address, "10.0.0.2/32"));
            b.setPeer(PeerConfig.of(keyA.publicKey(), null, "10.0.0.1/32"));
            byte[] pkt = Packets.ip("10.0.0.1", "10.0.0.2", 200);
            tunA.inject(pkt);
            assertThat(tunB.poll(5000)).isEqualTo(pkt); // the session is up

            PacketFilter accept = new Fixed(Verdict.ACCEPT);
            PacketFilter drop = new Fixed(Verdict.DROP);
            int[] delivered = {0};
            int sent = 0;
            for (int phase = 0; phase < 60; phase++) {
                // Phases rotate: A accepts and B has none, A drops, B drops. Every other phase swaps while the
                // previous phase's packets are still in flight; the others first wait until all are accounted for,
                // so that each filter certainly sees traffic.
                a.packetFilter(phase % 3 == 1 ? drop : accept);
                b.packetFilter(phase % 3 == 2 ? drop : null);
                for (int i = 0; i < 50; i++, sent++) {
                    while (!tunA.inject(pkt)) {
                        LockSupport.parkNanos(50_000);
                    }
                }
                if (phase % 2 == 0) {
                    awaitAccounted(a, b, tunB, delivered, sent);
                }
            }
            awaitAccounted(a, b, tunB, delivered, sent);
            long out = a.dropCount(DropReason.FILTERED_OUTBOUND);
            long in = b.dropCount(DropReason.FILTERED_INBOUND);
            assertThat(delivered[0] + out + in).isEqualTo(sent);
            assertThat(out).isPositive();
            assertThat(in).isPositive();
            assertThat(delivered[0]).isPositive();
            assertThat(a.drops().entrySet())
                    .filteredOn(e -> e.getKey() != DropReason.FILTERED_OUTBOUND)
                    .allMatch(e -> e.getValue() == 0);
            assertThat(b.drops().entrySet())
                    .filteredOn(e -> e.getKey() != DropReason.FILTERED_INBOUND)
                    .allMatch(e -> e.getValue() == 0);
        } finally {
            pumping.set(false);
            pump.join();
        }
    }

    /** Drains B's TUN until every packet sent is delivered or counted as filtered (or 10 s pass). */
    private static void awaitAccounted(Device a, Device b, MemoryTun tunB, int[] delivered, int sent)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            while (tunB.poll() != null) {
                delivered[0]++;
            }
            long counted = a.dropCount(DropReason.FILTERED_OUTBOUND) + b.dropCount(DropReason.FILTERED_INBOUND);
            if (delivered[0] + counted >= sent) {
                return;
            }
            Thread.sleep(2);
        }
    }
}
