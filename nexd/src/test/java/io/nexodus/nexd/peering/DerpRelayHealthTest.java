package io.nexodus.nexd.peering;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.testkit.ManualClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Health, latency and the choice among several onboarded DERP relays, driven like the agent drives it: one
 * {@code observe} per relay per 500 ms tick (after a ping the tick before), then {@code choose}.
 */
class DerpRelayHealthTest {
    private static final Duration TICK = Duration.ofMillis(500);
    private static final DerpRelay A = relay("a");
    private static final DerpRelay B = relay("b");
    private static final DerpRelay C = relay("c");

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T18:00:00Z"));
    private final DerpRelayHealth health = new DerpRelayHealth();
    /** Per relay: connected, pongs so far, newest round trip; what the proxy's probe reports. */
    private final Map<String, Boolean> up = new HashMap<>();

    private final Map<String, Long> pongs = new HashMap<>();
    private final Map<String, Duration> rtt = new HashMap<>();

    private static DerpRelay relay(String name) {
        return new DerpRelay(
                DerpRelay.Kind.ONBOARDED,
                "onboarded:" + name,
                URI.create("https://" + name + ".internal:443/derp"),
                Optional.empty(),
                Optional.empty(),
                false,
                Optional.empty());
    }

    /** The relay answers pings with this round trip (null: connected but silent). */
    private void answering(DerpRelay r, Duration roundTrip) {
        up.put(r.id(), true);
        if (roundTrip == null) {
            rtt.remove(r.id());
        } else {
            rtt.put(r.id(), roundTrip);
        }
    }

    private void down(DerpRelay r) {
        up.put(r.id(), false);
        rtt.remove(r.id());
    }

    /** One tick: every answering relay ponged since the last one; returns the choice. */
    private Optional<String> tick() {
        clock.advance(TICK);
        for (DerpRelay r : List.of(A, B, C)) {
            boolean connected = up.getOrDefault(r.id(), false);
            if (connected && rtt.containsKey(r.id())) {
                pongs.merge(r.id(), 1L, Long::sum);
            }
            health.observe(
                    r.id(),
                    connected,
                    pongs.getOrDefault(r.id(), 0L),
                    Optional.ofNullable(rtt.get(r.id())),
                    clock.instant());
        }
        return health.choose(List.of(A, B, C), clock.instant()).map(DerpRelay::id);
    }

    private Optional<String> ticks(int n) {
        Optional<String> last = Optional.empty();
        for (int i = 0; i < n; i++) {
            last = tick();
        }
        return last;
    }

    @Test
    void nothingConnectedMeansNoOnboardedRelay() {
        assertThat(tick()).isEmpty();
        assertThat(health.healthy(A.id(), clock.instant())).isFalse();
        assertThat(health.latency(A.id())).isEmpty();
    }

    @Test
    void theFastestHealthyRelayIsChosen() {
        answering(A, Duration.ofMillis(40));
        answering(B, Duration.ofMillis(10));
        answering(C, Duration.ofMillis(25));
        assertThat(ticks(4)).contains(B.id());
        assertThat(health.latency(B.id())).contains(Duration.ofMillis(10));
        assertThat(health.status(List.of(A, B, C), clock.instant()))
                .extracting(DerpRelayHealth.Status::chosen)
                .containsExactly(false, true, false);
    }

    @Test
    void similarLatenciesDoNotFlap() {
        answering(A, Duration.ofMillis(20));
        answering(B, Duration.ofMillis(21));
        assertThat(ticks(4)).contains(A.id());
        // B becomes a little faster: 15 % / 3 ms better is not clearly better
        answering(B, Duration.ofMillis(17));
        assertThat(ticks(20)).contains(A.id());
        // 30 % but only 3 ms faster: still not
        answering(A, Duration.ofMillis(10));
        answering(B, Duration.ofMillis(7));
        assertThat(ticks(20)).contains(A.id());
        // more than 20 % and more than 5 ms faster: switch
        answering(A, Duration.ofMillis(40));
        answering(B, Duration.ofMillis(20));
        List<Optional<String>> seen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            seen.add(tick());
        }
        assertThat(seen.getLast()).contains(B.id());
        assertThat(seen.subList(seen.indexOf(Optional.of(B.id())), seen.size()))
                .as("once switched it stays")
                .containsOnly(Optional.of(B.id()));
    }

    @Test
    void aLostConnectionFailsOverAtTheNextTickAndABetterRelayThatReturnsIsUsedAgain() {
        answering(A, Duration.ofMillis(5));
        answering(B, Duration.ofMillis(30));
        assertThat(ticks(4)).contains(A.id());
        down(A);
        assertThat(tick()).as("within one tick (500 ms)").contains(B.id());
        // A reconnects: connected but unmeasured, not clearly better yet
        answering(A, null);
        assertThat(tick()).contains(B.id());
        assertThat(health.healthy(A.id(), clock.instant())).isTrue();
        // its first pongs measure it clearly faster: back to it
        answering(A, Duration.ofMillis(5));
        assertThat(ticks(2)).contains(A.id());
    }

    @Test
    void aSilentRelayIsDeadAfterMissedPongs() {
        answering(A, Duration.ofMillis(5));
        answering(B, Duration.ofMillis(30));
        assertThat(ticks(4)).contains(A.id());
        answering(A, null); // connection still up, pongs stop (a black hole)
        Instant silentSince = clock.instant();
        Optional<String> now;
        do {
            now = tick();
        } while (now.equals(Optional.of(A.id())));
        assertThat(now).contains(B.id());
        Duration took = Duration.between(silentSince, clock.instant());
        assertThat(took).as("dead after 1.5 s without a pong").isLessThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(took).isGreaterThan(DerpRelayHealth.DEAD_AFTER);
    }

    @Test
    void noHealthyRelayLeavesTheChoiceToThePublicOneAndARemovedRelayIsForgotten() {
        answering(A, Duration.ofMillis(5));
        assertThat(ticks(2)).contains(A.id());
        down(A);
        assertThat(tick()).isEmpty();
        assertThat(health.current()).isEmpty();
        answering(A, Duration.ofMillis(5));
        assertThat(ticks(2)).contains(A.id());
        health.retain(Set.of(B.id()));
        assertThat(health.current()).isEmpty();
        assertThat(health.latency(A.id())).isEmpty();
    }

    @Test
    void theLatencyIsTheMedianOfRecentPongsSoOneSlowPongMovesNothing() {
        answering(A, Duration.ofMillis(10));
        answering(B, Duration.ofMillis(30));
        assertThat(ticks(4)).contains(A.id());
        answering(A, Duration.ofMillis(200)); // one slow pong
        tick();
        answering(A, Duration.ofMillis(10));
        assertThat(tick()).contains(A.id());
        assertThat(health.latency(A.id())).contains(Duration.ofMillis(10));
        // a relay that stays slow is measured slow after about half the window
        answering(A, Duration.ofMillis(200));
        assertThat(ticks(DerpRelayHealth.SAMPLES)).contains(B.id());
        assertThat(health.latency(A.id())).contains(Duration.ofMillis(200));
    }
}
