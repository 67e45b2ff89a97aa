package io.nexodus.netstack;

import java.net.InetAddress;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Two stacks joined by a simulated link on one manual clock, in one thread: each direction has a bottleneck
 * (serialization at {@code bitsPerSecond}, a drop-tail queue of {@code queuePackets}), a one-way delay, and
 * configurable loss, duplication and reordering (a packet held back by an extra random delay). Deterministic for a
 * given seed. {@link #runUntil} moves time from event to event (packet arrivals, the stacks' timers), so seconds of
 * protocol time pass in milliseconds and nothing sleeps.
 */
final class SimulatedLink {
    record Impairments(double loss, double duplicate, double reorder, long reorderExtraNanos) {
        static final Impairments NONE = new Impairments(0, 0, 0, 0);
    }

    @SuppressWarnings("ArrayRecordComponent") // a packet in flight, owned by the link
    private record InFlight(long at, long order, NetStack to, byte[] packet) {}

    final ManualTicker clock = new ManualTicker();
    final NetStack a;
    final NetStack b;
    private final PriorityQueue<InFlight> queue =
            new PriorityQueue<>((x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));
    private final SplittableRandom random;
    private final Impairments impairments;
    private final long delayNanos;
    private final long nanosPerByte;
    private final int queuePackets;
    private final long[] busyUntil = new long[2];
    private final int[] queued = new int[2];
    private long order;
    long delivered;
    long lost;
    long duplicated;
    long reordered;
    long tailDrops;

    SimulatedLink(
            InetAddress addrA,
            InetAddress addrB,
            NetStackConfig base,
            Impairments impairments,
            long delayNanos,
            long bitsPerSecond,
            int queuePackets,
            long seed) {
        this.random = new SplittableRandom(seed);
        this.impairments = impairments;
        this.delayNanos = delayNanos;
        this.nanosPerByte = 8_000_000_000L / bitsPerSecond;
        this.queuePackets = queuePackets;
        NetStackConfig ca = new NetStackConfig(
                List.of(addrA),
                base.mtu(),
                base.sendBuffer(),
                base.receiveBuffer(),
                base.maxConnections(),
                base.rtoInitial(),
                base.rtoMin(),
                base.rtoMax(),
                base.maxRetransmits(),
                base.maxSynRetransmits(),
                base.timeWait(),
                base.finWait2Timeout(),
                base.keepaliveIdle(),
                base.keepaliveInterval(),
                base.keepaliveProbes(),
                base.udpQueue());
        NetStackConfig cb = new NetStackConfig(
                List.of(addrB),
                base.mtu(),
                base.sendBuffer(),
                base.receiveBuffer(),
                base.maxConnections(),
                base.rtoInitial(),
                base.rtoMin(),
                base.rtoMax(),
                base.maxRetransmits(),
                base.maxSynRetransmits(),
                base.timeWait(),
                base.finWait2Timeout(),
                base.keepaliveIdle(),
                base.keepaliveInterval(),
                base.keepaliveProbes(),
                base.udpQueue());
        NetStack[] self = new NetStack[2];
        this.a = new NetStack(ca, p -> send(0, self[1], p), clock, random.split());
        this.b = new NetStack(cb, p -> send(1, self[0], p), clock, random.split());
        self[0] = a;
        self[1] = b;
    }

    private void send(int dir, NetStack to, byte[] packet) {
        long now = clock.nanos();
        if (queued[dir] >= queuePackets) {
            tailDrops++;
            return;
        }
        long start = Math.max(now, busyUntil[dir]);
        busyUntil[dir] = start + packet.length * nanosPerByte;
        if (random.nextDouble() < impairments.loss()) {
            lost++;
            return;
        }
        long at = busyUntil[dir] + delayNanos;
        if (random.nextDouble() < impairments.reorder()) {
            at += 1 + random.nextLong(impairments.reorderExtraNanos());
            reordered++;
        }
        queued[dir]++;
        queue.add(new InFlight(at, order++, to, packet));
        if (random.nextDouble() < impairments.duplicate()) {
            duplicated++;
            queue.add(new InFlight(at + 1000, order++, to, packet));
            queued[dir]++;
        }
    }

    /**
     * Runs the simulation: delivers due packets, runs both stacks' timers and then {@code step} (the applications,
     * non-blocking), until {@code step} returns true or {@code maxNanos} of simulated time passed.
     */
    boolean runUntil(BooleanSupplier step, long maxNanos) {
        long end = clock.nanos() + maxNanos;
        while (clock.nanos() < end) {
            InFlight f;
            while ((f = queue.peek()) != null && f.at <= clock.nanos()) {
                queue.poll();
                queued[f.to == b ? 0 : 1]--;
                delivered++;
                f.to.input(f.packet, 0, f.packet.length);
            }
            a.advance();
            b.advance();
            if (step.getAsBoolean()) {
                return true;
            }
            long next = Math.min(a.nextTimerNanos(), b.nextTimerNanos());
            if (!queue.isEmpty()) {
                next = Math.min(next, queue.peek().at);
            }
            // applications poll at least every millisecond of simulated time
            next = Math.min(next, clock.nanos() + 1_000_000L);
            clock.advanceNanos(Math.max(1, next - clock.nanos()));
        }
        return false;
    }

    @Override
    public String toString() {
        return "delivered=" + delivered + " lost=" + lost + " duplicated=" + duplicated + " reordered=" + reordered
                + " tailDrops=" + tailDrops;
    }
}
