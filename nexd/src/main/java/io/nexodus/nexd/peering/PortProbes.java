package io.nexodus.nexd.peering;

import io.nexodus.nexd.endpoint.PortPrediction;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * When to send which probes to a peer behind a NAT that hands out its ports in turn ({@link PortPrediction}), so that
 * our own NAT lets the peer's handshake in. Our NAT filters by the sender's port: it admits packets from an address
 * and port only after we sent there. The peer sends its handshake to our reflexive endpoint from a mapping its NAT has
 * not made yet; we send one small datagram from the WireGuard port to each port of a window after the peer's last
 * published one, and when the peer's handshake comes from one of them, our NAT passes it as a reply. The datagrams
 * that reach no mapping are dropped by the peer's NAT; the one that reaches the peer's WireGuard port is dropped there
 * (not a WireGuard message). What comes next is the waiting side of {@link PeeringMethod#PEER_REFLEXIVE}.
 * <p>
 * Rate-bounded: one sweep of the window every {@code fastInterval} for {@code fastFor} after the prediction appeared
 * or changed (the peer's attempt at the method lasts its up timeout), then one every {@code slowInterval} (the peer
 * retries the method now and then); at most {@code maxPerSecond} datagrams a second for all peers together (a sweep
 * that would pass it waits for a later call). Pure: the time is passed in. Not thread-safe: the reconciler's thread
 * owns it.
 */
public final class PortProbes {
    /** Ports probed per sweep: room for the NAT's other flows between its STUN answers and the flow towards us. */
    public static final int DEFAULT_WINDOW = 32;

    public static final PortProbes.Limits DEFAULT_LIMITS =
            new Limits(DEFAULT_WINDOW, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10), 256);

    /**
     * How much to probe and how often.
     *
     * @param window       ports per sweep, after the prediction's last port
     * @param fastInterval time between sweeps at first
     * @param fastFor      how long sweeps come at {@code fastInterval} after a new prediction
     * @param slowInterval time between sweeps after that
     * @param maxPerSecond datagrams per second for all peers together
     */
    public record Limits(int window, Duration fastInterval, Duration fastFor, Duration slowInterval, int maxPerSecond) {
        public Limits {
            if (window < 1 || maxPerSecond < window) {
                throw new IllegalArgumentException("a sweep must fit into the per-second budget");
            }
        }
    }

    private static final class Peer {
        final PortPrediction prediction;
        final Instant since;
        Instant lastSweep;
        long sent;

        Peer(PortPrediction prediction, Instant since) {
            this.prediction = prediction;
            this.since = since;
        }
    }

    private final Limits limits;
    private final Map<String, Peer> peers = new HashMap<>();
    /** Peers whose mapping came while they were probed: what to say about it. */
    private final Map<String, String> finished = new HashMap<>();

    private Instant budgetSince;
    private int budgetUsed;

    public PortProbes(Limits limits) {
        this.limits = limits;
    }

    /**
     * The endpoints to send a probe to now for the peer {@code key}; empty when none are due. {@code waiting}: our path
     * to the peer waits for its packets (peer-reflexive, the mapping not learned yet). A peer that is not waiting or
     * has no prediction is forgotten, so a later wait starts with a fast phase again.
     */
    public List<InetSocketAddress> due(String key, Optional<PortPrediction> prediction, boolean waiting, Instant now) {
        if (!waiting || prediction.isEmpty()) {
            Peer done = peers.remove(key);
            if (done != null && done.sent > 0 && !waiting) {
                finished.put(
                        key,
                        "port prediction: the mapping came after " + done.sent + " probes to "
                                + done.prediction.describe(limits.window()));
            } else if (waiting) {
                finished.remove(key);
            }
            return List.of();
        }
        finished.remove(key);
        Peer p = peers.get(key);
        if (p == null || !p.prediction.equals(prediction.get())) {
            p = new Peer(prediction.get(), now);
            peers.put(key, p);
        }
        Duration every = Duration.between(p.since, now).compareTo(limits.fastFor()) < 0
                ? limits.fastInterval()
                : limits.slowInterval();
        if (p.lastSweep != null && Duration.between(p.lastSweep, now).compareTo(every) < 0) {
            return List.of();
        }
        List<InetSocketAddress> window = p.prediction.window(limits.window());
        if (budgetSince == null || Duration.between(budgetSince, now).compareTo(Duration.ofSeconds(1)) >= 0) {
            budgetSince = now;
            budgetUsed = 0;
        }
        if (budgetUsed + window.size() > limits.maxPerSecond()) {
            return List.of();
        }
        budgetUsed += window.size();
        p.lastSweep = now;
        p.sent += window.size();
        return window;
    }

    /** Forgets peers that left. */
    public void retain(Set<String> keys) {
        peers.keySet().retainAll(keys);
        finished.keySet().retainAll(keys);
    }

    /**
     * For status: while probing, how many probes went where ("port prediction: 64 probes so far to
     * 203.0.113.41:40003-40034"); after the wait ended, that the mapping came after them (the wait may also have ended
     * because the method no longer applies; the caller says which method is in use).
     */
    public Optional<String> describe(String key) {
        Peer p = peers.get(key);
        if (p == null || p.sent == 0) {
            return Optional.ofNullable(finished.get(key));
        }
        return Optional.of(
                "port prediction: " + p.sent + " probes so far to " + p.prediction.describe(limits.window()));
    }

    /** Whether the peer is being probed (for tests and status). */
    public boolean probing(String key) {
        return peers.containsKey(key);
    }
}
