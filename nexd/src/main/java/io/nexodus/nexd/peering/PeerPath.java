package io.nexodus.nexd.peering;

import io.nexodus.nexd.endpoint.Addresses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The path to one peer: which of {@link PeeringPolicy}'s options is in use, whether it works, and when to move on.
 * A state machine driven by two inputs, both with the time passed in (tests use any clock, nothing here sleeps):
 * <ul>
 *   <li>{@link #offer}: the option list was recomputed (a watch event, our own NAT changed). The best option that
 *       has not failed is used; an option whose endpoint changed is a new chance.</li>
 *   <li>{@link #observe}: the data plane's counters. A direct method is <em>up</em> once a handshake completed after
 *       it was applied and stays up while the peer is heard from (its keepalives at least); it <em>fails</em> if it
 *       does not come up within {@code upTimeout} or goes silent for {@code downTimeout}. A failed method is skipped
 *       and the next option is used.</li>
 * </ul>
 * Back when it heals: while relayed after a direct method failed, the direct method is probed by a shadow WireGuard
 * entry for the peer (its endpoint and keepalive, but no allowed IPs, so traffic keeps going through the relay). A
 * handshake on the shadow entry proves the direct path works both ways; then the direct method is used again.
 * A failed method that shares the peer's entry with the one in use (no shadow possible) is retried after
 * {@code retryFailedAfter}. If every option failed, the list starts over from the best.
 * <p>
 * Following the peer onto DERP: a peer that can use nothing but a DERP relay (UDP blocked on its side) sends to us
 * there while our side may still be content with the WireGuard relay, which gives the peer no entry of its own, so
 * its packets would be dropped and the pair would never handshake. A peer heard through DERP while we are
 * {@link PeeringMethod#VIA_RELAY} is therefore answered on DERP at once. Methods that give the peer an entry need no
 * such rule: WireGuard answers an authenticated packet where it came from. The follow ends when the peer stops
 * sending through DERP (nothing from it there for {@code keepalive + suspectAfter}, or we send and hear nothing back
 * for {@code suspectAfter}); the peer's own packets from the moment before it noticed that we left are not followed
 * again (for the same span), so two followers do not hold each other on DERP.
 * <p>
 * Peer-reflexive (one side behind a symmetric NAT, the other public): the symmetric side uses
 * {@link PeeringMethod#PEER_REFLEXIVE} like any direct method, and insists on its endpoint — if the peer's packets
 * came through DERP meanwhile and WireGuard now answers there (roaming), the entry is re-created towards the endpoint
 * and a handshake through DERP does not count as the method coming up. The public side cannot know the peer's
 * mapping: its {@link PathOption#awaitPeerReflexive() waiting option} is never tried by itself; the entry it has for
 * the peer anyway (DERP's, or a shadow entry without allowed IPs while on the WireGuard relay) accepts the peer's
 * direct packets, and once WireGuard has learned a direct endpoint from them the path switches to
 * {@link PathOption#learned} with that session (no new handshake, traffic keeps flowing). When the peer's packets
 * come through DERP again, the path follows it back there.
 * <p>
 * The caller applies {@link #active()} and {@link #shadow()} to WireGuard, re-creates the entry when
 * {@link #takeKick()} says so, and re-checks STUN when {@link #takeStallSuspicion()} says so. Not thread-safe: one
 * reconciler thread owns it.
 */
public final class PeerPath {
    /** For display. */
    public enum State {
        NO_PATH,
        TRYING,
        UP,
        DOWN
    }

    private static final long KEEPALIVE_BYTES = 32;

    private final PeeringTimeouts timeouts;
    private final Consumer<String> log;
    private List<PathOption> options = List.of();
    private final Map<PathOption, Instant> failed = new LinkedHashMap<>();

    private PathOption active;
    private Instant activeSince;
    private boolean cameUp;
    private Instant lastAliveAt;
    private long lastRx = -1;
    private long lastTx = -1;
    private long txSinceAlive;
    private Instant lastRxGrowth;
    private Instant previousRxGrowth;
    /** Bytes the last growth brought: more than a keepalive or two is data, so the peer was sending a flow. */
    private long lastRxGrowthBytes;

    private boolean suspectRaised;
    private boolean suspectPending;
    private int kicksDone;
    private boolean kickPending;
    private Instant relayUnhealthySince;
    private boolean relayHealthy;

    private PathOption shadow;
    private Instant shadowSince;
    private Instant shadowKickedAt;

    private String lastReason = "";
    private int roundsWithoutSuccess;

    private long lastDerpFromPeer = -1;
    private Instant peerOnDerpAt;
    private boolean followingDerp;
    private Instant leftDerpAt;

    private Instant lastRepointAt;
    private Instant roamedToDerpSince;

    public PeerPath(PeeringTimeouts timeouts, Consumer<String> log) {
        this.timeouts = timeouts;
        this.log = log;
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /** The options were recomputed. */
    public void offer(List<PathOption> newOptions, Instant now) {
        options = List.copyOf(newOptions);
        failed.keySet().retainAll(new HashSet<>(options));
        if (options.isEmpty()) {
            if (active != null) {
                log.accept("no way to reach the peer any more (was " + active + ")");
            }
            active = null;
            shadow = null;
            followingDerp = false;
            lastReason = "no method applies (no relay available)";
            return;
        }
        PathOption best = followingDerp ? derpOption().orElseGet(this::bestNotFailed) : bestNotFailed();
        if (active == null) {
            activate(best, now, "start", false);
        } else if (isLearned(active)) {
            // kept while the peer still sends to us directly; the learned endpoint is not among the options
        } else if (best.method() == active.method()) {
            if (!best.equals(active)) {
                log.accept("endpoint of " + active.method() + " changed: " + active + " -> " + best);
                active = best;
                lastAliveAt = now; // grace: the new address gets a full downTimeout
                if (!cameUp) {
                    activeSince = now;
                    kicksDone = 0;
                }
            }
        } else {
            activate(best, now, "options changed", false);
        }
        updateShadow(now);
    }

    /** The data plane's view of the peer, sampled now. */
    public void observe(PathSample s, Instant now) {
        if (active == null) {
            return;
        }
        boolean peerOnDerp = lastDerpFromPeer >= 0 && s.derpPacketsFromPeer() > lastDerpFromPeer;
        lastDerpFromPeer = s.derpPacketsFromPeer();
        if (peerOnDerp) {
            peerOnDerpAt = now;
            if (followPeerOntoDerp(now)) {
                return;
            }
        }
        if (followingDerp && Duration.between(peerOnDerpAt, now).compareTo(followWindow()) >= 0) {
            unfollowDerp("nothing from the peer through DERP for " + ms(Duration.between(peerOnDerpAt, now)), now);
            return;
        }
        if (active.method().configuresPeer() && learnFromPeer(s, now)) {
            retryExpiredFailures(now);
            return;
        }
        if (active.method().configuresPeer()) {
            observeDirect(s, now);
        } else {
            observeRelayed(s, now);
        }
        retryExpiredFailures(now);
    }

    /**
     * The waiting side of peer-reflexive: WireGuard answers where the peer's authenticated packets come from, so its
     * entry's endpoint tells where the peer is now. A direct address we did not configure is the peer's mapping
     * (switch to it, keeping the session); the DERP proxy's address for the peer means it went back to DERP: follow.
     */
    private boolean learnFromPeer(PathSample s, Instant now) {
        InetSocketAddress seen = s.endpoint();
        if (seen == null || s.lastHandshake() == null || passiveOption().isEmpty()) {
            return false;
        }
        if (active.endpoint().filter(seen::equals).isPresent()) {
            if (isLearned(active)) {
                roamedToDerpSince = null; // the peer's direct packets still come
            }
            return false;
        }
        if (isDerpEndpoint(seen)) {
            if (!isLearned(active)) {
                return false;
            }
            Optional<PathOption> derp = derpOption();
            if (derp.isEmpty()) {
                return false;
            }
            // a packet the peer sent through DERP just before it went direct moves WireGuard there for a moment;
            // only a peer that stays on DERP (no direct packet for a keepalive and then some) is followed
            if (roamedToDerpSince == null) {
                roamedToDerpSince = now;
            }
            if (Duration.between(roamedToDerpSince, now).compareTo(followWindow()) < 0) {
                return false;
            }
            log.accept("the peer's packets come through DERP again; following it there (" + derp.get() + ")");
            activate(derp.get(), now, "the peer went back to the DERP relay", true);
            updateShadow(now);
            return true;
        }
        roamedToDerpSince = null;
        PathOption learned = PathOption.learned(seen);
        log.accept("the peer reaches us directly from " + Addresses.format(seen) + "; answering there (" + learned
                + ", was " + active + ")");
        activate(learned, now, "the peer's mapping was learned from its packets", true);
        updateShadow(now);
        return true;
    }

    private void observeDirect(PathSample s, Instant now) {
        if (insistOnEndpoint(s, now)) {
            return;
        }
        boolean rxGrew = lastRx >= 0 && s.rxBytes() > lastRx;
        long rxDelta = rxGrew ? s.rxBytes() - lastRx : 0;
        long txDelta = lastTx >= 0 && s.txBytes() >= lastTx ? s.txBytes() - lastTx : 0;
        lastRx = s.rxBytes();
        lastTx = s.txBytes();
        if (!cameUp && s.lastHandshake() != null && !s.lastHandshake().isBefore(activeSince)) {
            cameUp = true;
            roundsWithoutSuccess = 0;
            lastAliveAt = later(lastAliveAt, s.lastHandshake());
            txSinceAlive = 0;
            log.accept(
                    active + " is up (handshake after " + ms(Duration.between(activeSince, s.lastHandshake())) + ")");
        }
        if (cameUp && s.lastHandshake() != null) {
            lastAliveAt = later(lastAliveAt, s.lastHandshake());
        }
        if (cameUp && rxGrew) {
            lastAliveAt = now;
            txSinceAlive = 0;
            suspectRaised = false;
            previousRxGrowth = lastRxGrowth;
            lastRxGrowth = now;
            lastRxGrowthBytes = rxDelta;
        } else if (cameUp) {
            txSinceAlive += txDelta;
        }
        // Silence after activity: we kept sending and heard nothing back, or a steady flow from the peer stopped.
        // Either may mean that a NAT mapping changed (ours or the peer's); the remedy, a STUN round, is cheap. A flow
        // is two growths close together, or one that brought data (more than keepalives): right after a silence ended
        // there is only one growth since the gap, and a second silence starting then must count too.
        boolean sendingIntoSilence = txSinceAlive > 2 * KEEPALIVE_BYTES;
        boolean steadyGrowth = previousRxGrowth != null
                && lastRxGrowth != null
                && Duration.between(previousRxGrowth, lastRxGrowth).compareTo(timeouts.suspectAfter()) <= 0;
        boolean flowStopped = lastRxGrowth != null && (lastRxGrowthBytes > 2 * KEEPALIVE_BYTES || steadyGrowth);
        if (cameUp
                && !suspectRaised
                && (sendingIntoSilence || flowStopped)
                && Duration.between(lastAliveAt, now).compareTo(timeouts.suspectAfter()) >= 0) {
            if (followingDerp) {
                unfollowDerp("we send through DERP and hear nothing back", now);
                return;
            }
            suspectRaised = true;
            suspectPending = true;
        }
        if (!cameUp) {
            if (kicksDone < timeouts.initialKicks().size()
                    && active.endpoint().isPresent()
                    && !now.isBefore(activeSince.plus(timeouts.initialKicks().get(kicksDone)))) {
                kicksDone++;
                kickPending = true;
            }
            if (Duration.between(activeSince, now).compareTo(timeouts.upTimeout()) >= 0) {
                fail("no handshake within " + ms(timeouts.upTimeout()), now);
            }
        } else if (Duration.between(lastAliveAt, now).compareTo(timeouts.downTimeout()) >= 0) {
            fail("nothing heard from the peer for " + ms(Duration.between(lastAliveAt, now)), now);
        }
    }

    /**
     * The sending side of peer-reflexive: the peer (still on DERP, or back there) sent through DERP and WireGuard
     * roamed there. Re-create the entry towards the configured endpoint (at most once a second); until a handshake
     * on it, the method is not up — a handshake through DERP proves nothing about the direct path.
     */
    private boolean insistOnEndpoint(PathSample s, Instant now) {
        InetSocketAddress seen = s.endpoint();
        if (isLearned(active)) {
            return false; // the waiting side's rule (learnFromPeer) owns roamedToDerpSince then
        }
        if (active.method() != PeeringMethod.PEER_REFLEXIVE
                || active.endpoint().isEmpty()
                || seen == null
                || seen.equals(active.endpoint().get())
                || !isDerpEndpoint(seen)) {
            roamedToDerpSince = null;
            return false;
        }
        if (roamedToDerpSince == null) {
            roamedToDerpSince = now;
        }
        if (cameUp && Duration.between(roamedToDerpSince, now).compareTo(followWindow()) < 0) {
            return false; // a late packet the peer sent through DERP before it went direct: wait and see
        }
        if (cameUp) {
            log.accept("the peer's packets came through DERP; sending to " + active + " again");
            cameUp = false;
            activeSince = now; // a fresh up window: the direct path worked a moment ago
        }
        if (lastRepointAt == null || Duration.between(lastRepointAt, now).compareTo(Duration.ofSeconds(1)) >= 0) {
            lastRepointAt = now;
            kickPending = true;
        }
        if (Duration.between(activeSince, now).compareTo(timeouts.upTimeout()) >= 0) {
            fail("no handshake on the direct path within " + ms(timeouts.upTimeout()), now);
        }
        return true;
    }

    private void observeRelayed(PathSample s, Instant now) {
        relayHealthy = s.relayHealthy();
        if (relayHealthy) {
            cameUp = true;
            lastAliveAt = now;
            relayUnhealthySince = null;
        } else {
            if (relayUnhealthySince == null) {
                relayUnhealthySince = now;
            }
            if (Duration.between(relayUnhealthySince, now).compareTo(timeouts.upTimeout()) >= 0
                    && Duration.between(activeSince, now).compareTo(timeouts.upTimeout()) >= 0) {
                fail("the relay is not reachable", now);
                return;
            }
        }
        if (shadow != null) {
            if (shadow.isPassive()) {
                // the waiting side: the shadow entry has no endpoint to probe; the peer's handshake on it (WireGuard
                // learned where from) is the proof
                if (s.shadowHandshake() != null
                        && !s.shadowHandshake().isBefore(shadowSince)
                        && s.endpoint() != null
                        && !isDerpEndpoint(s.endpoint())) {
                    PathOption learned = PathOption.learned(s.endpoint());
                    log.accept("the peer reaches us directly from " + Addresses.format(s.endpoint())
                            + "; leaving the relay (" + learned + ")");
                    activate(learned, now, "the peer's mapping was learned from its packets", true);
                    updateShadow(now);
                }
            } else if (s.shadowHandshake() != null && !s.shadowHandshake().isBefore(shadowSince)) {
                PathOption healed = shadow;
                failed.remove(healed);
                log.accept(healed + " works again (probe handshake); leaving the relay");
                activate(healed, now, "healed", true);
                updateShadow(now);
            } else if (!shadow.isPassive()
                    && Duration.between(shadowKickedAt, now).compareTo(timeouts.probeInterval()) >= 0) {
                shadowKickedAt = now;
                shadowSince = now;
                kickPending = true;
            }
        }
    }

    private void retryExpiredFailures(Instant now) {
        if (active == null || failed.isEmpty() || followingDerp) {
            return;
        }
        int activeIndex = options.indexOf(active);
        for (Map.Entry<PathOption, Instant> e : List.copyOf(failed.entrySet())) {
            int i = options.indexOf(e.getKey());
            if (i < 0 || i >= activeIndex || e.getKey().equals(shadow)) {
                continue;
            }
            if (Duration.between(e.getValue(), now).compareTo(timeouts.retryFailedAfter()) >= 0) {
                failed.remove(e.getKey());
                log.accept("retrying " + e.getKey() + " (failed " + ms(Duration.between(e.getValue(), now)) + " ago)");
                activate(e.getKey(), now, "retry", false);
                updateShadow(now);
                return;
            }
        }
    }

    private void fail(String why, Instant now) {
        PathOption was = active;
        failed.put(was, now);
        boolean startingOver = options.stream().filter(o -> !o.isPassive()).allMatch(failed::containsKey);
        PathOption next = bestNotFailed();
        if (startingOver) {
            roundsWithoutSuccess++;
        }
        // a peer that is simply offline fails every round: say so at first, then only now and then
        if (roundsWithoutSuccess <= 1 || roundsWithoutSuccess % 15 == 0) {
            log.accept(was + " failed (" + why + ")" + (next.equals(was) ? "; trying it again" : "; next: " + next)
                    + (roundsWithoutSuccess > 1 ? " (" + roundsWithoutSuccess + " rounds without success)" : ""));
        }
        activate(next, now, why, false);
        lastReason = was.method() + " failed: " + why;
        updateShadow(now);
    }

    /**
     * Switches to DERP when the peer reaches us there and our method gives it no entry of its own. Not right after we
     * left DERP ourselves: a peer that followed us there keeps sending until it notices.
     */
    private boolean followPeerOntoDerp(Instant now) {
        if (followingDerp || active.method() != PeeringMethod.VIA_RELAY) {
            return false;
        }
        if (leftDerpAt != null && Duration.between(leftDerpAt, now).compareTo(followWindow()) < 0) {
            return false;
        }
        Optional<PathOption> derp = derpOption();
        if (derp.isEmpty()) {
            return false;
        }
        log.accept("the peer reaches us only through DERP; answering there (" + derp.get() + ")");
        activate(derp.get(), now, "the peer uses the DERP relay", false);
        followingDerp = true;
        updateShadow(now);
        return true;
    }

    private void unfollowDerp(String why, Instant now) {
        followingDerp = false;
        PathOption next = bestNotFailed();
        log.accept("the peer left the DERP relay (" + why + "); back to " + next);
        activate(next, now, "the peer left the DERP relay", false);
        updateShadow(now);
    }

    /** How long a follower waits for the peer's next packet through DERP (the peer's keepalive, with slack). */
    private Duration followWindow() {
        return timeouts.keepalive().plus(timeouts.suspectAfter());
    }

    private Optional<PathOption> derpOption() {
        return options.stream()
                .filter(o -> o.method() == PeeringMethod.VIA_DERP_RELAY)
                .findFirst();
    }

    /** The best option to try; the waiting side of peer-reflexive only when nothing else applies. */
    private PathOption bestNotFailed() {
        for (PathOption o : options) {
            if (!o.isPassive() && !failed.containsKey(o)) {
                return o;
            }
        }
        failed.clear(); // everything failed: start over from the best
        for (PathOption o : options) {
            if (!o.isPassive()) {
                return o;
            }
        }
        return options.getFirst();
    }

    /**
     * The wireguard-derp proxy's address for this peer: WireGuard sees the peer's packets that came through DERP as
     * coming from there. (Nothing else delivers packets under the peer's key: the WireGuard relay re-encrypts them.)
     */
    private boolean isDerpEndpoint(InetSocketAddress a) {
        return derpOption().flatMap(PathOption::endpoint).filter(a::equals).isPresent();
    }

    private Optional<PathOption> passiveOption() {
        return options.stream().filter(PathOption::isPassive).findFirst();
    }

    /** A peer-reflexive endpoint learned from the peer's packets (not one of the options as such). */
    private boolean isLearned(PathOption o) {
        return o.method() == PeeringMethod.PEER_REFLEXIVE
                && o.endpoint().isPresent()
                && passiveOption().isPresent();
    }

    private void activate(PathOption o, Instant now, String why, boolean alreadyUp) {
        boolean changed = active == null || !active.equals(o);
        if (active != null
                && active.method() == PeeringMethod.VIA_DERP_RELAY
                && o.method() != PeeringMethod.VIA_DERP_RELAY) {
            leftDerpAt = now;
        }
        followingDerp = false;
        roamedToDerpSince = null;
        active = o;
        activeSince = now;
        cameUp = alreadyUp;
        lastAliveAt = now;
        txSinceAlive = 0;
        suspectRaised = false;
        lastRxGrowth = null;
        previousRxGrowth = null;
        lastRxGrowthBytes = 0;
        kicksDone = 0;
        relayUnhealthySince = null;
        // a fresh start (new session) makes "a handshake after activeSince" a sound test of the method
        kickPending = !alreadyUp && o.method().configuresPeer() && o.endpoint().isPresent();
        if (changed && !why.equals("start")) {
            lastReason = why;
        }
    }

    private void updateShadow(Instant now) {
        PathOption want = null;
        if (active != null && active.method() == PeeringMethod.VIA_RELAY) {
            int activeIndex = options.indexOf(active);
            for (int i = 0; i < activeIndex; i++) {
                PathOption o = options.get(i);
                if ((failed.containsKey(o)
                                && o.method().isDirect()
                                && o.endpoint().isPresent())
                        || o.isPassive()) {
                    want = o;
                    break;
                }
            }
        }
        if (want == null) {
            shadow = null;
        } else if (!want.equals(shadow)) {
            shadow = want;
            shadowSince = now;
            shadowKickedAt = now;
        }
    }

    // ------------------------------------------------------------------------------------------------ outputs

    /** The option in use; empty when no option applies. */
    public Optional<PathOption> active() {
        return Optional.ofNullable(active);
    }

    /** While relayed: the direct option being probed with a shadow entry (endpoint, keepalive, no allowed IPs). */
    public Optional<PathOption> shadow() {
        return Optional.ofNullable(shadow);
    }

    /** True once after the peer's entry (active or shadow) should be re-created to start a fresh handshake now. */
    public boolean takeKick() {
        boolean k = kickPending;
        kickPending = false;
        // a direct method that came up needs no fresh session (a shadow probe is kicked while relayed: cameUp there
        // is the relay's health, so it does not count)
        boolean relayed = active != null && !active.method().configuresPeer();
        return k && (relayed || !cameUp);
    }

    /**
     * The waiting side of peer-reflexive, still waiting: the method applies and the peer's mapping has not been learned
     * from its packets (now, or any more). While it waits, a peer whose NAT hands out ports in turn is probed
     * ({@link PortProbes}).
     */
    public boolean awaitingPeer() {
        return passiveOption().isPresent() && (active == null || !isLearned(active));
    }

    /** True once per silence episode: we keep sending, nothing comes back; our NAT mapping may have changed. */
    public boolean takeStallSuspicion() {
        boolean s = suspectPending;
        suspectPending = false;
        return s;
    }

    public boolean healthy(Instant now) {
        if (active == null) {
            return false;
        }
        if (!active.method().configuresPeer()) {
            return relayHealthy;
        }
        return cameUp && Duration.between(lastAliveAt, now).compareTo(timeouts.downTimeout()) < 0;
    }

    public State state(Instant now) {
        if (active == null) {
            return State.NO_PATH;
        }
        if (healthy(now)) {
            return State.UP;
        }
        return cameUp ? State.DOWN : State.TRYING;
    }

    public List<PathOption> options() {
        return options;
    }

    public Map<PathOption, Instant> failures() {
        return Map.copyOf(failed);
    }

    /** Why the current option is in use, when it is not simply the best (e.g. the better one failed). */
    public String reason() {
        return lastReason;
    }

    public Optional<Instant> activeSince() {
        return Optional.ofNullable(activeSince);
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    private static String ms(Duration d) {
        return d.toMillis() >= 10_000 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
