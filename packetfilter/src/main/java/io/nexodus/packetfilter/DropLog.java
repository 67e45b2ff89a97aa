package io.nexodus.packetfilter;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DEBUG line per dropped new flow, rate-limited (a burst of {@link #BURST}, then {@link #PER_SECOND} a second)
 * so a peer's flood cannot flood the log; the next line that gets through says how many were left out. Time comes
 * from the packet path's nanoTime. Thread-safe; costs one {@code isDebugEnabled} check when DEBUG is off.
 */
final class DropLog {
    private static final Logger log = LoggerFactory.getLogger(StatefulFilter.class);
    static final int BURST = 10;
    static final int PER_SECOND = 10;
    private static final long INTERVAL = 1_000_000_000L / PER_SECOND;

    private final AtomicLong theoreticalArrival = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    /** Logs the drop of {@code p} unless over the rate; returns whether it logged. */
    boolean dropped(Direction direction, PacketInfo p, Decision why, String rules, long now) {
        if (!log.isDebugEnabled()) {
            return false;
        }
        if (!admit(now)) {
            suppressed.incrementAndGet();
            return false;
        }
        long skipped = suppressed.getAndSet(0);
        log.debug(
                "security group '{}': dropped new {} flow {} ({}){}",
                rules,
                direction.name().toLowerCase(Locale.ROOT),
                p.describe(),
                why == Decision.DROP_TABLE_FULL ? "connection table full" : "no rule allows it",
                skipped == 0 ? "" : "; " + skipped + " more drops not logged");
        return true;
    }

    /** A generic cell rate algorithm: admits when the theoretical arrival time is within the burst allowance. */
    boolean admit(long now) {
        while (true) {
            long tat = theoreticalArrival.get();
            long base = tat == Long.MIN_VALUE || now - tat > 0 ? now : tat;
            if (base - now > (BURST - 1) * INTERVAL) {
                return false;
            }
            if (theoreticalArrival.compareAndSet(tat, base + INTERVAL)) {
                return true;
            }
        }
    }
}
