package io.nexodus.packetfilter;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Properties of the per-packet path: no allocation, no exceptions on any bytes, safe under concurrent threads. */
class HotPathTest {
    static final String ME = "100.64.0.1";
    static final String PEER = "100.64.0.2";

    static RuleSet sshOnly() throws InvalidRuleException {
        return RuleSet.parse(
                List.of(new RuleSpec("tcp", 22, 22, List.of("100.64.0.0/10"))),
                List.of(new RuleSpec("udp", 53, 53, List.of())));
    }

    @Test
    void establishedFlowsAndRefusedPacketsAllocateNothing() throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        StatefulFilter f = new StatefulFilter();
        f.setRules(sshOnly());
        byte[] syn = Packets.tcp(PEER, 40000, ME, 22, Packets.SYN);
        byte[] synAck = Packets.tcp(ME, 22, PEER, 40000, Packets.SYN | Packets.ACK);
        byte[] ack = Packets.tcp(PEER, 40000, ME, 22, Packets.ACK);
        byte[] data = Packets.tcp(ME, 22, PEER, 40000, Packets.ACK | Packets.PSH);
        byte[] refused = Packets.tcp(PEER, 40001, ME, 23, Packets.SYN);
        long t = 1_000_000_000_000L;
        f.decide(Direction.INBOUND, syn, 0, syn.length, t);
        f.decide(Direction.OUTBOUND, synAck, 0, synAck.length, t);
        for (int i = 0; i < 20_000; i++) { // warm up: the JIT, ThreadLocal, LongAdder
            run(f, ack, data, refused, t + i * 1_000_000L);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            run(f, ack, data, refused, t + (20_000L + i) * 1_000_000L);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 300 000 decisions").isLessThan(1024);
    }

    private static void run(StatefulFilter f, byte[] ack, byte[] data, byte[] refused, long t) {
        if (f.decide(Direction.INBOUND, ack, 0, ack.length, t) != Decision.ACCEPT_ESTABLISHED
                || f.decide(Direction.OUTBOUND, data, 0, data.length, t) != Decision.ACCEPT_REPLY
                || f.decide(Direction.INBOUND, refused, 0, refused.length, t) != Decision.DROP_NO_MATCH) {
            throw new AssertionError("unexpected decision");
        }
    }

    @Test
    void arbitraryBytesNeverThrow() throws Exception {
        StatefulFilter f = new StatefulFilter(256, Timeouts.LINUX);
        f.setRules(sshOnly());
        Random rnd = new Random(1);
        List<byte[]> seeds = List.of(
                Packets.tcp(PEER, 1, ME, 22, Packets.SYN),
                Packets.udp(ME, 5, PEER, 53),
                Packets.echoRequest("fd00::2", "fd00::1", 3),
                Packets.icmpError(PEER, ME, Packets.udp(ME, 5, PEER, 53)),
                Packets.icmpError("fd00::2", "fd00::1", Packets.udp("fd00::1", 5, "fd00::2", 53)),
                Packets.tcpV6WithOptions("fd00::2", 1, "fd00::1", 22, Packets.SYN, 4));
        for (int i = 0; i < 200_000; i++) {
            byte[] p;
            if (i % 4 == 0) {
                p = new byte[rnd.nextInt(120)];
                rnd.nextBytes(p);
                if (p.length > 0) {
                    p[0] = (byte) ((rnd.nextBoolean() ? 0x40 : 0x60) | (p[0] & 0x0f));
                }
            } else {
                byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
                p = Arrays.copyOf(seed, rnd.nextInt(seed.length + 1));
                for (int flips = rnd.nextInt(4); flips >= 0 && p.length > 0; flips--) {
                    p[rnd.nextInt(p.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            int off = p.length == 0 ? 0 : rnd.nextInt(Math.min(3, p.length));
            Direction d = rnd.nextBoolean() ? Direction.INBOUND : Direction.OUTBOUND;
            assertThat(f.decide(d, p, off, p.length - off, i * 1_000_000L)).isNotNull();
        }
        assertThat(f.status().flows()).isLessThanOrEqualTo(256);
    }

    @Test
    void inboundAndOutboundThreadsAgreeOnSharedFlows() throws Exception {
        StatefulFilter f = new StatefulFilter(8192, Timeouts.LINUX);
        f.setRules(
                RuleSet.parse(List.of(new RuleSpec("udp", 9, 9, List.of())), List.of(new RuleSpec("udp", 7, 7, null))));
        int flows = 2000;
        // outbound opens udp/7 flows; inbound sends both replies (must pass) and fresh packets to port 8 (dropped)
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread outbound = Thread.ofPlatform().start(() -> {
            try {
                start.await();
                for (int round = 0; round < 20; round++) {
                    for (int i = 0; i < flows; i++) {
                        byte[] p = Packets.udp(ME, 10_000 + i, PEER, 7);
                        Decision d = f.decide(Direction.OUTBOUND, p, 0, p.length, 1_000L * round);
                        if (!d.accepted()) {
                            throw new AssertionError("outbound " + i + ": " + d);
                        }
                    }
                    if (round == 10) {
                        f.setRules(f.rules()); // a rule change mid-run: every flow is re-checked, none revoked
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        Thread inbound = Thread.ofPlatform().start(() -> {
            try {
                start.await();
                for (int round = 0; round < 40; round++) {
                    for (int i = 0; i < flows; i++) {
                        byte[] stranger = Packets.udp(PEER, 20_000 + i, ME, 8);
                        if (f.decide(Direction.INBOUND, stranger, 0, stranger.length, 1_000L * round)
                                .accepted()) {
                            throw new AssertionError("stranger " + i + " passed");
                        }
                        byte[] reply = Packets.udp(PEER, 7, ME, 10_000 + i);
                        f.decide(Direction.INBOUND, reply, 0, reply.length, 1_000L * round);
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        start.countDown();
        outbound.join();
        inbound.join();
        assertThat(failure.get()).isNull();
        for (int i = 0; i < flows; i++) { // every flow exists once: its reply passes as a reply
            byte[] reply = Packets.udp(PEER, 7, ME, 10_000 + i);
            assertThat(f.decide(Direction.INBOUND, reply, 0, reply.length, 100_000L))
                    .isEqualTo(Decision.ACCEPT_REPLY);
        }
        FilterStatus st = f.status();
        assertThat(st.flows()).isEqualTo(flows);
        assertThat(st.revoked()).isZero();
        assertThat(st.decisions().get(Decision.ACCEPT_NEW)).isEqualTo(flows);
    }

    @Test
    void theDropLogIsRateLimited() {
        DropLog log = new DropLog();
        long t = 42;
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            if (log.admit(t)) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(DropLog.BURST);
        assertThat(log.admit(t + 50_000_000L)).isFalse();
        assertThat(log.admit(t + 100_000_000L)).isTrue();
        assertThat(log.admit(t + 100_000_000L)).isFalse();
        int later = 0;
        for (int i = 0; i < 100; i++) {
            if (log.admit(t + 10_000_000_000L)) {
                later++;
            }
        }
        assertThat(later).isEqualTo(DropLog.BURST);
    }
}
