package io.nexodus.netstack;

import java.util.Map;

/**
 * A snapshot of a stack's counters.
 *
 * @param packetsIn packets handed to {@link NetStack#input}
 * @param packetsOut packets given to the {@link PacketSink}
 * @param drops dropped incoming packets by reason (every reason present, most 0)
 * @param tcpConnections connections in the table (not counting listeners)
 * @param tcpRetransmits segments sent again (timeouts, fast retransmit, NewReno partial ACKs)
 * @param tcpSpuriousRetransmits fast retransmissions found to be reordering (window restored)
 * @param tcpTimeouts retransmission timer expiries
 * @param tcpResetsSent RSTs sent (closed ports, aborts, data after close)
 */
public record NetStackStats(
        long packetsIn,
        long packetsOut,
        Map<DropReason, Long> drops,
        int tcpConnections,
        long tcpRetransmits,
        long tcpSpuriousRetransmits,
        long tcpTimeouts,
        long tcpResetsSent) {
    public NetStackStats {
        drops = Map.copyOf(drops);
    }

    public long drops(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }
}
