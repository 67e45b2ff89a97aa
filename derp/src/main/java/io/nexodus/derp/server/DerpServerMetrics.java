package io.nexodus.derp.server;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The server's counters (LongAdders: hot-path increments from many threads do not contend). */
final class DerpServerMetrics {
    final LongAdder totalDupClientConns = new LongAdder();
    final LongAdder accepts = new LongAdder();
    final LongAdder packetsReceived = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder packetsSent = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder packetsForwardedOut = new LongAdder();
    final LongAdder packetsForwardedIn = new LongAdder();
    final LongAdder pingsReceived = new LongAdder();
    final LongAdder pongsSent = new LongAdder();
    final LongAdder keepAlivesSent = new LongAdder();
    final LongAdder peerGoneDisconnectedFrames = new LongAdder();
    final LongAdder peerGoneNotHereFrames = new LongAdder();
    final LongAdder unknownFrames = new LongAdder();
    final LongAdder homeMovesIn = new LongAdder();
    final LongAdder homeMovesOut = new LongAdder();
    private final Map<DropReason, LongAdder> packetsDropped = adders(DropReason.class);
    private final Map<DropReason, LongAdder> bytesDropped = adders(DropReason.class);
    private final Map<ConnectionCloseReason, LongAdder> closed = adders(ConnectionCloseReason.class);

    /** One adder per reason, made up front: the map is never written after construction, so reads need no lock. */
    private static <E extends Enum<E>> Map<E, LongAdder> adders(Class<E> reasons) {
        Map<E, LongAdder> m = new EnumMap<>(reasons);
        for (E r : reasons.getEnumConstants()) {
            m.put(r, new LongAdder());
        }
        return m;
    }

    void drop(DropReason reason, int bytes) {
        packetsDropped.get(reason).increment();
        bytesDropped.get(reason).add(bytes);
    }

    void drop(DropReason reason, int packets, long bytes) {
        packetsDropped.get(reason).add(packets);
        bytesDropped.get(reason).add(bytes);
    }

    void closed(ConnectionCloseReason reason) {
        closed.get(reason).increment();
    }

    Map<DropReason, Long> packetsDropped() {
        return sums(packetsDropped);
    }

    Map<DropReason, Long> bytesDropped() {
        return sums(bytesDropped);
    }

    Map<ConnectionCloseReason, Long> connectionsClosed() {
        return sums(closed);
    }

    private static <E extends Enum<E>> Map<E, Long> sums(Map<E, LongAdder> adders) {
        Map<E, Long> m = new HashMap<>();
        adders.forEach((r, a) -> m.put(r, a.sum()));
        return Map.copyOf(m);
    }
}
