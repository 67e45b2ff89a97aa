package io.nexodus.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetransmissionScheduleTest {
    private static long ms(long m) {
        return Duration.ofMillis(m).toNanos();
    }

    @Test
    void rfc8489ExampleWhenTheTimeoutDoesNotBind() {
        var s = RetransmissionSchedule.of(StunClientConfig.defaults().withTimeout(Duration.ofMinutes(5)));
        assertThat(s.sendOffsetsNanos())
                .containsExactly(ms(0), ms(500), ms(1500), ms(3500), ms(7500), ms(15500), ms(31500));
        assertThat(s.giveUpNanos()).isEqualTo(ms(39500));
    }

    @Test
    void defaultsAreBoundedToFiveSeconds() {
        var s = RetransmissionSchedule.of(StunClientConfig.defaults());
        assertThat(s.sendOffsetsNanos()).containsExactly(ms(0), ms(500), ms(1500), ms(3500));
        assertThat(s.giveUpNanos()).isEqualTo(ms(5000));
    }

    @Test
    void fewRequestsOrAShortTimeout() {
        var one = RetransmissionSchedule.of(StunClientConfig.defaults().withMaxRequests(1));
        assertThat(one.sendOffsetsNanos()).containsExactly(0L);
        assertThat(one.giveUpNanos()).isEqualTo(ms(5000)); // 16 x 500 ms = 8 s, capped by the 5 s timeout
        var fast = RetransmissionSchedule.of(StunClientConfig.defaults()
                .withInitialRto(Duration.ofMillis(100))
                .withTimeout(Duration.ofMillis(250)));
        assertThat(fast.sendOffsetsNanos()).isEqualTo(List.of(ms(0), ms(100)));
        assertThat(fast.giveUpNanos()).isEqualTo(ms(250));
    }

    @Test
    void hugeValuesSaturateInsteadOfOverflowing() {
        var s = RetransmissionSchedule.of(new StunClientConfig(
                Duration.ofDays(365 * 100), 32, Integer.MAX_VALUE, Duration.ofDays(365 * 200), ""));
        assertThat(s.sendOffsetsNanos()).isSorted().allMatch(x -> x >= 0);
        assertThat(s.giveUpNanos()).isPositive();
    }
}
