package io.nexodus.nexd.peering;

import static io.nexodus.nexd.peering.Peers.ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.nexd.endpoint.PortPrediction;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The probe schedule on a manual clock: what is sent when, and the rate bounds. */
class PortProbesTest {
    private static final Instant T0 = Instant.parse("2026-12-08T00:00:00Z");
    private final Optional<PortPrediction> seq =
            PortPrediction.from(ep("198.51.100.22", 40001), ep("198.51.100.22", 40000));
    private final PortProbes probes = new PortProbes(PortProbes.DEFAULT_LIMITS);

    private static Instant at(long millis) {
        return T0.plus(Duration.ofMillis(millis));
    }

    @Test
    void aWaitingPeerGetsAWindowAfterItsLastPortEverySecondThenEveryTenSeconds() {
        var first = probes.due("S", seq, true, at(0));
        assertThat(first).hasSize(PortProbes.DEFAULT_WINDOW);
        assertThat(first.getFirst()).isEqualTo(ep("198.51.100.22", 40002));
        assertThat(first.getLast()).isEqualTo(ep("198.51.100.22", 40001 + PortProbes.DEFAULT_WINDOW));
        assertThat(probes.due("S", seq, true, at(500))).as("within the second").isEmpty();
        assertThat(probes.due("S", seq, true, at(1000))).hasSize(PortProbes.DEFAULT_WINDOW);
        int sweeps = 2;
        for (long t = 1100; t < 30_000; t += 100) {
            if (!probes.due("S", seq, true, at(t)).isEmpty()) {
                sweeps++;
            }
        }
        assertThat(sweeps).as("one a second for the first 30 s").isEqualTo(30);
        int slow = 0;
        for (long t = 30_000; t < 90_000; t += 100) {
            if (!probes.due("S", seq, true, at(t)).isEmpty()) {
                slow++;
            }
        }
        assertThat(slow).as("then one every 10 s").isEqualTo(6);
        assertThat(probes.describe("S"))
                .hasValueSatisfying(d -> assertThat(d)
                        .contains("probes so far to 198.51.100.22:40002-40033")
                        .contains(String.valueOf(36 * PortProbes.DEFAULT_WINDOW)));
    }

    @Test
    void aNewPredictionStartsAFastPhaseAgain() {
        probes.due("S", seq, true, at(0));
        for (long t = 0; t < 40_000; t += 1000) {
            probes.due("S", seq, true, at(t));
        }
        assertThat(probes.due("S", seq, true, at(41_000))).as("slow phase").isEmpty();
        Optional<PortPrediction> moved = PortPrediction.from(ep("198.51.100.22", 40050), ep("198.51.100.22", 40051));
        var w = probes.due("S", moved, true, at(41_000));
        assertThat(w).first().isEqualTo(ep("198.51.100.22", 40052));
        assertThat(probes.due("S", moved, true, at(42_000))).isNotEmpty();
    }

    @Test
    void nothingIsSentWhenThePeerIsNotAwaitedOrNotPredictable() {
        assertThat(probes.due("S", Optional.empty(), true, at(0))).isEmpty();
        assertThat(probes.due("S", seq, false, at(0))).isEmpty();
        assertThat(probes.probing("S")).isFalse();
        assertThat(probes.describe("S")).isEmpty();
    }

    @Test
    void theWaitEndsWithTheMappingAndAStatusSaysHowItCame() {
        probes.due("S", seq, true, at(0));
        probes.due("S", seq, true, at(1000));
        assertThat(probes.due("S", seq, false, at(1500))).isEmpty();
        assertThat(probes.probing("S")).isFalse();
        assertThat(probes.describe("S"))
                .contains("port prediction: the mapping came after 64 probes to 198.51.100.22:40002-40033");
        // waiting again (the peer went back to a relay): a fresh fast phase
        assertThat(probes.due("S", seq, true, at(2000))).hasSize(PortProbes.DEFAULT_WINDOW);
        assertThat(probes.describe("S")).hasValueSatisfying(d -> assertThat(d).contains("32 probes so far"));
        probes.retain(Set.of());
        assertThat(probes.describe("S")).isEmpty();
    }

    @Test
    void allPeersTogetherStayWithinTheBudgetPerSecond() {
        PortProbes tight = new PortProbes(
                new PortProbes.Limits(32, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10), 64));
        assertThat(tight.due("A", seq, true, at(0))).hasSize(32);
        assertThat(tight.due("B", seq, true, at(10))).hasSize(32);
        assertThat(tight.due("C", seq, true, at(20)))
                .as("over the budget: later")
                .isEmpty();
        assertThat(tight.due("C", seq, true, at(1000))).hasSize(32);
        assertThat(tight.due("A", seq, true, at(1001))).hasSize(32);
        assertThat(tight.due("B", seq, true, at(1002)))
                .as("the budget of this second is used")
                .isEmpty();
    }
}
