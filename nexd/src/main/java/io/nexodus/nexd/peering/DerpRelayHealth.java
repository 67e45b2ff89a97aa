package io.nexodus.nexd.peering;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Health and latency of the VPC's onboarded DERP relays, and which one to send through.
 * <p>
 * <b>Healthy</b>: the connection is up and a pong arrived within {@code deadAfter} (or, right after connecting, the
 * connection is younger than that). A connection loss counts at once; a relay that stops answering (a black-holed
 * path, a hung process) counts after {@code deadAfter}. The agent pings every connected relay every tick.
 * <p>
 * <b>Latency</b>: the median of the last {@value #SAMPLES} pong round trips (about 4.5 s at one ping per 500 ms tick):
 * one slow pong (a pause on the relay, a retransmission) does not move traffic, a relay that stays slower does. Forgotten
 * when the connection drops, so a relay that comes back is measured afresh.
 * <p>
 * <b>Choice</b> ({@link #choose}): the current relay while it is healthy, unless another healthy one is clearly
 * faster — more than {@code switchRatio} of the current latency and {@code switchMargin} faster, so two relays of
 * similar latency do not swap back and forth; a relay without a measurement yet is never clearly faster. When the
 * current one is unhealthy (or none is chosen): the fastest healthy one (unmeasured last, then lowest id). None
 * healthy: empty, the caller falls back to the service's public relay.
 * <p>
 * Agents need not agree on the relay: every agent stays connected to every onboarded relay and receives on all, and a
 * DERP relay delivers a packet to the destination key's connection on that relay — so what matters is that the
 * sender's chosen relay is one the receiver is connected to.
 * <p>
 * Pure: instants come from the caller, no threads. Not thread-safe: the reconcile thread owns it.
 */
public final class DerpRelayHealth {
    static final int SAMPLES = 9;

    /**
     * The defaults: dead after 1.2 s without a pong (with pings every 500 ms tick: judged at the third tick after the
     * last pong, 1.5 to 2 s after a relay goes silent), switch when more than 20 % and more than 5 ms faster.
     */
    public static final Duration DEAD_AFTER = Duration.ofMillis(1200);

    public static final double SWITCH_RATIO = 0.2;
    public static final Duration SWITCH_MARGIN = Duration.ofMillis(5);

    /** What the agent shows about one onboarded relay. */
    public record Status(
            String relayId, boolean connected, boolean healthy, Optional<Duration> latency, boolean chosen) {}

    private static final class State {
        boolean connected;
        Instant connectedSince;
        Instant lastPongAt;
        long pongs;
        final ArrayDeque<Long> rtts = new ArrayDeque<>();
    }

    private final Duration deadAfter;
    private final double switchRatio;
    private final Duration switchMargin;
    private final Map<String, State> states = new HashMap<>();
    private String current;

    public DerpRelayHealth() {
        this(DEAD_AFTER, SWITCH_RATIO, SWITCH_MARGIN);
    }

    public DerpRelayHealth(Duration deadAfter, double switchRatio, Duration switchMargin) {
        this.deadAfter = deadAfter;
        this.switchRatio = switchRatio;
        this.switchMargin = switchMargin;
    }

    /**
     * Records what the relay's connection looks like at {@code now}.
     *
     * @param connected whether the connection is up
     * @param pongs     pongs received on it so far (cumulative, as the connection counts them); an increase since the
     *                  last call is a pong that arrived by {@code now}
     * @param lastRtt   the round trip of the newest pong, if any
     */
    public void observe(String relayId, boolean connected, long pongs, Optional<Duration> lastRtt, Instant now) {
        State s = states.computeIfAbsent(relayId, k -> new State());
        if (!connected) {
            s.connected = false;
            s.connectedSince = null;
            s.rtts.clear();
            s.pongs = pongs;
            return;
        }
        if (!s.connected) {
            s.connected = true;
            s.connectedSince = now;
            s.lastPongAt = null;
            s.pongs = pongs; // pongs before this connection do not count
            return;
        }
        if (pongs > s.pongs) {
            s.pongs = pongs;
            s.lastPongAt = now;
            if (lastRtt.isPresent()) {
                s.rtts.addLast(lastRtt.get().toNanos());
                if (s.rtts.size() > SAMPLES) {
                    s.rtts.removeFirst();
                }
            }
        }
    }

    /** Connected, and heard from (a pong, or the connection itself) within {@code deadAfter}. */
    public boolean healthy(String relayId, Instant now) {
        State s = states.get(relayId);
        if (s == null || !s.connected) {
            return false;
        }
        Instant heard = s.lastPongAt != null ? s.lastPongAt : s.connectedSince;
        return Duration.between(heard, now).compareTo(deadAfter) <= 0;
    }

    /** The relay's round trip (median of the recent pongs); empty before the first pong of the current connection. */
    public Optional<Duration> latency(String relayId) {
        State s = states.get(relayId);
        if (s == null || s.rtts.isEmpty()) {
            return Optional.empty();
        }
        long[] sorted = s.rtts.stream().mapToLong(Long::longValue).sorted().toArray();
        return Optional.of(Duration.ofNanos(sorted[sorted.length / 2]));
    }

    /**
     * The onboarded relay to send through at {@code now} (see the class comment); empty when none is healthy. Remembers
     * the choice: call it once per decision.
     */
    public Optional<DerpRelay> choose(Collection<DerpRelay> onboarded, Instant now) {
        List<DerpRelay> healthy = onboarded.stream()
                .filter(r -> healthy(r.id(), now))
                .sorted(Comparator.comparing((DerpRelay r) -> latency(r.id()).isEmpty())
                        .thenComparing(r -> latency(r.id()).orElse(Duration.ZERO))
                        .thenComparing(DerpRelay::id))
                .toList();
        if (healthy.isEmpty()) {
            current = null;
            return Optional.empty();
        }
        DerpRelay best = healthy.getFirst();
        Optional<DerpRelay> cur =
                healthy.stream().filter(r -> r.id().equals(current)).findFirst();
        DerpRelay pick = cur.isPresent() && !clearlyFaster(best, cur.get()) ? cur.get() : best;
        current = pick.id();
        return Optional.of(pick);
    }

    private boolean clearlyFaster(DerpRelay candidate, DerpRelay cur) {
        if (candidate.id().equals(cur.id())) {
            return false;
        }
        Optional<Duration> c = latency(candidate.id());
        Optional<Duration> now = latency(cur.id());
        if (c.isEmpty()) {
            return false;
        }
        if (now.isEmpty()) {
            return true; // the current one has no measurement yet (just connected); a measured one wins
        }
        long gain = now.get().toNanos() - c.get().toNanos();
        return gain > switchMargin.toNanos() && gain > switchRatio * now.get().toNanos();
    }

    /** The onboarded relay chosen last, if any. */
    public Optional<String> current() {
        return Optional.ofNullable(current);
    }

    /** What {@code nexctl nexd status} shows, in the order given. */
    public List<Status> status(Collection<DerpRelay> onboarded, Instant now) {
        return onboarded.stream()
                .map(r -> {
                    State s = states.get(r.id());
                    return new Status(
                            r.id(),
                            s != null && s.connected,
                            healthy(r.id(), now),
                            latency(r.id()),
                            r.id().equals(current));
                })
                .toList();
    }

    /** Forgets relays that are gone. */
    public void retain(Set<String> relayIds) {
        states.keySet().retainAll(relayIds);
        if (current != null && !relayIds.contains(current)) {
            current = null;
        }
    }
}
