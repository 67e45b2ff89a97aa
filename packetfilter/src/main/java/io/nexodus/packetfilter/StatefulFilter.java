package io.nexodus.packetfilter;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A security group enforced on plain IP packets: the rules of a {@link RuleSet} judge each new flow, and connection
 * tracking lets the flow's later packets and its replies through (see docs/security-groups.md).
 * <p>
 * Wiring: the WireGuard device calls {@link #decide} for every packet, inbound after decryption (before the TUN
 * write) and outbound after the TUN read (before encryption), and drops it unless the decision is
 * {@link Decision#accepted()}. The agent converts its security group to a {@link RuleSet} and calls {@link #setRules}
 * on every change; it should install the filter from the start (with {@link RuleSet#ALLOW_ALL} while the device has
 * the default group) so that flows opened before a restrictive group arrives are tracked and their replies still pass.
 * <p>
 * Threads: {@link #decide} may be called concurrently from any number of threads (the device's TUN-read thread for
 * outbound, its receive and crypto threads for inbound). A packet of an established flow is decided without locks,
 * CAS or allocation: an optimistic read of the flow's table segment and, at most once a second per flow, an opaque
 * write of its last-seen time. New flows and state changes (SYN, FIN, RST, first reply) take the write lock of one of
 * up to 64 table segments. Rule matching for a new flow happens outside any lock. {@link #setRules},
 * {@link #setLocalAddresses}, {@link #setPickUpRunningTcp}, {@link #status} and {@link #expire} are thread-safe and may
 * run at any time.
 * <p>
 * Rule changes are not grandfathered: each flow remembers the generation of the rules it was last checked against;
 * the first packet after a change re-checks the flow's original packet against the new rules of the direction it
 * started in, and a flow they no longer allow is removed, so that packet is judged afresh (normally: dropped).
 * <p>
 * Time is the caller's {@code System.nanoTime()} (tests pass a manual clock); only differences are used.
 */
public final class StatefulFilter {
    public static final int DEFAULT_CAPACITY = 65_536;

    /** An established flow's last-seen time is refreshed at most this often (timeouts are 10 s and more). */
    static final long TOUCH_INTERVAL_NANOS = 1_000_000_000L;

    private final FlowTable table;
    private final long seed;
    private final EnumMap<Decision, LongAdder> decisions = new EnumMap<>(Decision.class);
    private final LongAdder evicted = new LongAdder();
    private final LongAdder revoked = new LongAdder();
    private final DropLog dropLog = new DropLog();
    private final ThreadLocal<PacketInfo> scratch = ThreadLocal.withInitial(PacketInfo::new);
    private final Object installLock = new Object();

    private volatile Installed installed;
    private volatile LocalAddresses local = LocalAddresses.NONE;
    private volatile boolean pickUpRunningTcp = true;

    /** The rules in force with their generation and per-rule counters (the last slot: "direction has no rules"). */
    private static final class Installed {
        private final RuleSet rules;
        private final int generation;
        private final LongAdder[] inboundHits;
        private final LongAdder[] outboundHits;

        Installed(RuleSet rules, int generation) {
            this.rules = rules;
            this.generation = generation;
            this.inboundHits = adders(rules.rules(Direction.INBOUND).size() + 1);
            this.outboundHits = adders(rules.rules(Direction.OUTBOUND).size() + 1);
        }

        RuleSet rules() {
            return rules;
        }

        int generation() {
            return generation;
        }

        LongAdder[] hits(Direction d) {
            return d == Direction.INBOUND ? inboundHits : outboundHits;
        }
    }

    /** A filter with {@link #DEFAULT_CAPACITY} flows, Linux's timeouts, and {@link RuleSet#ALLOW_ALL}. */
    public StatefulFilter() {
        this(DEFAULT_CAPACITY, Timeouts.LINUX);
    }

    /** A filter that tracks at most {@code capacity} flows, with the given timeouts; it starts allowing all. */
    public StatefulFilter(int capacity, Timeouts timeouts) {
        this.table = new FlowTable(capacity, timeouts);
        this.seed = new SecureRandom().nextLong();
        for (Decision d : Decision.values()) {
            decisions.put(d, new LongAdder());
        }
        install(RuleSet.ALLOW_ALL, 1);
    }

    /** Puts {@code rules} in force at once; tracked flows are re-checked at their next packet. */
    public void setRules(RuleSet rules) {
        synchronized (installLock) {
            install(rules, installed.generation() + 1);
        }
    }

    private void install(RuleSet rules, int generation) {
        installed = new Installed(rules, generation);
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /**
     * Whether a TCP packet without SYN and without a tracked flow starts a flow (as Linux's default
     * {@code nf_conntrack_tcp_loose=1} does, picking up connections that ran before the filter); true by default.
     * When false, such a packet is judged by the rules of its direction alone and tracks nothing, so only a SYN opens
     * a TCP flow. Use false when the filter is in place before any traffic can flow: then a flow revoked by a rule
     * change cannot come back by the other side sending mid-stream (its answers would otherwise be replies).
     */
    public void setPickUpRunningTcp(boolean pickUp) {
        pickUpRunningTcp = pickUp;
    }

    /** The rules in force. */
    public RuleSet rules() {
        return installed.rules();
    }

    /**
     * This device's own tunnel addresses. When set (non-empty), only packets to them (inbound) or from them
     * (outbound) are filtered, as nftables' input and output hooks do; packets a relay or router forwards pass as
     * {@link Decision#ACCEPT_TRANSIT}. Empty (the default): every packet is filtered.
     *
     * @throws IllegalArgumentException if an entry is not an IP address
     */
    public void setLocalAddresses(Collection<String> addresses) {
        local = LocalAddresses.of(addresses);
    }

    /**
     * Decides one packet: {@code buf[off, off+len)} is a plain IPv4 or IPv6 packet crossing the tunnel in
     * {@code direction}; {@code nowNanos} is {@code System.nanoTime()}. Never throws on malformed packets; allocates
     * nothing on the accept paths (a DEBUG log line for a dropped new flow allocates).
     */
    public Decision decide(Direction direction, byte[] buf, int off, int len, long nowNanos) {
        Installed in = installed;
        PacketInfo p = scratch.get();
        int parsed = PacketParser.parse(buf, off, len, p);
        if (parsed == PacketParser.INVALID) {
            return count(Decision.DROP_INVALID);
        }
        if (parsed == PacketParser.FRAGMENT) {
            return count(Decision.ACCEPT_FRAGMENT);
        }
        if (local.transit(direction, p)) {
            return count(Decision.ACCEPT_TRANSIT);
        }
        return switch (p.kind) {
            case PacketInfo.KIND_ICMP_ERROR -> related(direction, p, in, nowNanos);
            case PacketInfo.KIND_ICMP_OTHER -> stateless(direction, p, in, nowNanos);
            default -> tracked(direction, p, in, nowNanos);
        };
    }

    private Decision tracked(Direction direction, PacketInfo p, Installed in, long now) {
        FlowKey k = p.key;
        k.set(
                p.version == 6,
                p.l4,
                p.srcHi,
                p.srcLo,
                p.sport,
                p.dstHi,
                p.dstLo,
                p.dport,
                direction == Direction.OUTBOUND,
                seed);
        FlowTable.Segment s = table.segment(k.hash);
        long stamp = s.lock.tryOptimisticRead();
        if (stamp != 0) {
            int slot = FlowTable.find(s, k);
            if (slot >= 0) {
                long meta = FlowTable.meta(s, slot);
                long seen = FlowTable.lastSeen(s, slot);
                if (s.lock.validate(stamp)
                        && FlowState.generation(meta) == in.generation()
                        && !table.expired(meta, seen, now)) {
                    boolean isOrig = k.srcIsLow == FlowState.origIsLow(meta);
                    if (FlowState.advance(meta, p, isOrig) == meta) {
                        if (now - seen >= TOUCH_INTERVAL_NANOS) {
                            FlowTable.touch(s, slot, now);
                        }
                        if (s.lock.validate(stamp)) {
                            return count(isOrig ? Decision.ACCEPT_ESTABLISHED : Decision.ACCEPT_REPLY);
                        }
                    }
                }
            } else if (s.lock.validate(stamp)) {
                return newFlow(direction, p, in, s, now);
            }
        }
        return locked(direction, p, in, s, now);
    }

    /** The flow's slow path: its state changes, or it expired, or the rules changed. */
    private Decision locked(Direction direction, PacketInfo p, Installed in, FlowTable.Segment s, long now) {
        FlowKey k = p.key;
        boolean mismatch = false;
        long ws = s.lock.writeLock();
        try {
            int slot = FlowTable.find(s, k);
            if (slot >= 0) {
                long meta = FlowTable.meta(s, slot);
                if (table.expired(meta, FlowTable.lastSeen(s, slot), now)) {
                    FlowTable.removeAt(s, slot);
                    slot = -1;
                } else if (FlowState.generation(meta) != in.generation()) {
                    if (stillAllowed(meta, k, in)) {
                        meta = FlowState.withGeneration(meta, in.generation());
                    } else {
                        FlowTable.removeAt(s, slot);
                        revoked.increment();
                        slot = -1;
                    }
                }
                if (slot >= 0) {
                    boolean isOrig = k.srcIsLow == FlowState.origIsLow(meta);
                    long next = FlowState.advance(meta, p, isOrig);
                    if (next == FlowState.REOPEN) {
                        FlowTable.removeAt(s, slot);
                    } else if (next == FlowState.MISMATCH) {
                        mismatch = true;
                    } else {
                        table.update(s, slot, next, now);
                        return count(isOrig ? Decision.ACCEPT_ESTABLISHED : Decision.ACCEPT_REPLY);
                    }
                }
            }
        } finally {
            s.lock.unlockWrite(ws);
        }
        return mismatch ? stateless(direction, p, in, now) : newFlow(direction, p, in, s, now);
    }

    /** Whether the rules of generation {@code in} still allow the flow's original packet. */
    private static boolean stillAllowed(long meta, FlowKey k, Installed in) {
        boolean origLow = FlowState.origIsLow(meta);
        Direction d = (k.directionBit() ^ origLow) ? Direction.OUTBOUND : Direction.INBOUND;
        // the original packet's source is the low endpoint iff origLow; its destination port is the other port
        boolean remoteIsLow = d == Direction.INBOUND ? origLow : !origLow;
        long hi = remoteIsLow ? k.k0 : k.k2;
        long lo = remoteIsLow ? k.k1 : k.k3;
        int dport = origLow ? k.highPort() : k.lowPort();
        return in.rules().match(d, k.v6() ? 6 : 4, k.l4(), hi, lo, dport) != RuleSet.NO_MATCH;
    }

    /** A packet of no tracked flow: the rules decide, and an allowed flow is tracked from now on. */
    private Decision newFlow(Direction direction, PacketInfo p, Installed in, FlowTable.Segment s, long now) {
        int rule = in.rules().match(direction, p.version, p.l4, p.remoteHi(direction), p.remoteLo(direction), p.dport);
        if (rule == RuleSet.NO_MATCH) {
            return drop(direction, p, in, Decision.DROP_NO_MATCH, now);
        }
        FlowKey k = p.key;
        long meta = FlowState.initial(p, k.srcIsLow, in.generation());
        if (meta != 0
                && p.kind == PacketInfo.KIND_TCP
                && FlowState.state(meta) != FlowState.TCP_SYN_SENT
                && !pickUpRunningTcp) {
            meta = 0; // a mid-stream TCP packet: judged alone, tracks nothing
        }
        if (meta == 0) {
            hit(in, direction, rule);
            return count(Decision.ACCEPT_STATELESS);
        }
        int result;
        long ws = s.lock.writeLock();
        try {
            int slot = FlowTable.find(s, k);
            if (slot >= 0) { // another thread tracked it meanwhile; the rules allow this packet anyway
                long m = FlowTable.meta(s, slot);
                boolean isOrig = k.srcIsLow == FlowState.origIsLow(m);
                long next = FlowState.advance(m, p, isOrig);
                if (next != FlowState.REOPEN && next != FlowState.MISMATCH) {
                    table.update(s, slot, next, now);
                }
                return count(isOrig ? Decision.ACCEPT_ESTABLISHED : Decision.ACCEPT_REPLY);
            }
            result = table.insert(s, k, meta, now);
        } finally {
            s.lock.unlockWrite(ws);
        }
        if (result == FlowTable.FULL) {
            return drop(direction, p, in, Decision.DROP_TABLE_FULL, now);
        }
        if (result == FlowTable.INSERTED_AFTER_EVICTION) {
            evicted.increment();
        }
        hit(in, direction, rule);
        return count(Decision.ACCEPT_NEW);
    }

    /** An ICMP error: passes if it quotes a packet of a tracked flow, else the rules decide (statelessly). */
    private Decision related(Direction direction, PacketInfo p, Installed in, long now) {
        int ik = p.innerKind;
        if (p.innerValid && ik != PacketInfo.KIND_ICMP_ERROR && ik != PacketInfo.KIND_ICMP_OTHER) {
            FlowKey k = p.key;
            // the quoted packet travelled the other way
            k.set(
                    p.version == 6,
                    p.innerL4,
                    p.innerSrcHi,
                    p.innerSrcLo,
                    p.innerSport,
                    p.innerDstHi,
                    p.innerDstLo,
                    p.innerDport,
                    direction == Direction.INBOUND,
                    seed);
            FlowTable.Segment s = table.segment(k.hash);
            long rs = s.lock.readLock();
            try {
                int slot = FlowTable.find(s, k);
                if (slot >= 0) {
                    long meta = FlowTable.meta(s, slot);
                    if (!table.expired(meta, FlowTable.lastSeen(s, slot), now)
                            && (FlowState.generation(meta) == in.generation() || stillAllowed(meta, k, in))) {
                        return count(Decision.ACCEPT_RELATED);
                    }
                }
            } finally {
                s.lock.unlockRead(rs);
            }
        }
        return stateless(direction, p, in, now);
    }

    /** A packet that starts no flow: the rules of its direction decide. */
    private Decision stateless(Direction direction, PacketInfo p, Installed in, long now) {
        int rule = in.rules().match(direction, p.version, p.l4, p.remoteHi(direction), p.remoteLo(direction), p.dport);
        if (rule == RuleSet.NO_MATCH) {
            return drop(direction, p, in, Decision.DROP_NO_MATCH, now);
        }
        hit(in, direction, rule);
        return count(Decision.ACCEPT_STATELESS);
    }

    private static void hit(Installed in, Direction direction, int rule) {
        LongAdder[] hits = in.hits(direction);
        hits[rule == RuleSet.ALLOWED_NO_RULES ? hits.length - 1 : rule].increment();
    }

    private Decision drop(Direction direction, PacketInfo p, Installed in, Decision why, long now) {
        dropLog.dropped(direction, p, why, in.rules().label(), now);
        return count(why);
    }

    private Decision count(Decision d) {
        decisions.get(d).increment();
        return d;
    }

    /**
     * Removes every flow that timed out (the table also reclaims them lazily); returns how many. The agent may call it
     * every few seconds so that {@link FilterStatus#flows()} stays accurate.
     */
    public int expire(long nowNanos) {
        int removed = 0;
        for (FlowTable.Segment s : table.segments) {
            long ws = s.lock.writeLock();
            try {
                removed += table.sweep(s, nowNanos);
            } finally {
                s.lock.unlockWrite(ws);
            }
        }
        return removed;
    }

    /** Forgets every tracked flow (their next packets are judged as new flows). */
    public void clearFlows() {
        table.clear();
    }

    /** Counters and rules for status displays. */
    public FilterStatus status() {
        Installed in = installed;
        Map<Decision, Long> byDecision = new EnumMap<>(Decision.class);
        for (Decision d : Decision.values()) {
            byDecision.put(d, decisions.get(d).sum());
        }
        return new FilterStatus(
                in.rules().label(),
                in.generation(),
                hits(in, Direction.INBOUND),
                hits(in, Direction.OUTBOUND),
                Map.copyOf(byDecision),
                table.size(),
                table.capacity,
                evicted.sum(),
                revoked.sum());
    }

    private static List<FilterStatus.RuleHits> hits(Installed in, Direction d) {
        List<Rule> rules = in.rules().rules(d);
        LongAdder[] hits = in.hits(d);
        List<FilterStatus.RuleHits> out = new ArrayList<>();
        if (rules.isEmpty()) {
            out.add(new FilterStatus.RuleHits(d.field(), "no rules: all allowed", hits[0].sum()));
        }
        for (int i = 0; i < rules.size(); i++) {
            out.add(new FilterStatus.RuleHits(rules.get(i).field(), rules.get(i).toString(), hits[i].sum()));
        }
        return List.copyOf(out);
    }
}
