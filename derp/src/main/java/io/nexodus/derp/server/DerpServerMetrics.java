package io.nexodus.derp.server;

import java.util.EnumMap;
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
    private final LongAdder[] packetsDropped = adders(DropReason.values().length);
    private final LongAdder[] bytesDropped = adders(DropReason.values().length);
    private final LongAdder[] closed = adders(ConnectionCloseReason.values().length);

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    void drop(DropReason reason, int bytes) {
        packetsDropped[reason.ordinal()].increment();
        bytesDropped[reason.ordinal()].add(bytes);
    }

    void drop(DropReason reason, int packets, long bytes) {
        packetsDropped[reason.ordinal()].add(packets);
        bytesDropped[reason.ordinal()].add(bytes);
    }

    void closed(ConnectionCloseReason reason) {
        closed[reason.ordinal()].increment();
    }

    Map<DropReason, Long> packetsDropped() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            m.put(r, packetsDropped[r.ordinal()].sum());
        }
        return Map.copyOf(m);
    }

    Map<DropReason, Long> bytesDropped() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            m.put(r, bytesDropped[r.ordinal()].sum());
        }
        return Map.copyOf(m);
    }

    Map<ConnectionCloseReason, Long> connectionsClosed() {
        Map<ConnectionCloseReason, Long> m = new EnumMap<>(ConnectionCloseReason.class);
        for (ConnectionCloseReason r : ConnectionCloseReason.values()) {
            m.put(r, closed[r.ordinal()].sum());
        }
        return Map.copyOf(m);
    }
}
