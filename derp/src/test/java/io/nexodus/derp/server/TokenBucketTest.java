package io.nexodus.derp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    @Test
    void burstThenRate() {
        ManualClock clock = ManualClock.atMillis(0);
        TokenBucket b = new TokenBucket(2.0, 3, clock);
        assertThat(b.tryTake()).isTrue();
        assertThat(b.tryTake()).isTrue();
        assertThat(b.tryTake()).isTrue();
        assertThat(b.tryTake()).isFalse();
        clock.advance(Duration.ofMillis(499));
        assertThat(b.tryTake()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(b.tryTake()).isTrue();
        clock.advance(Duration.ofSeconds(100));
        for (int i = 0; i < 3; i++) {
            assertThat(b.tryTake()).isTrue();
        }
        assertThat(b.tryTake()).as("never more than the burst").isFalse();
    }

    @Test
    void infiniteRateNeverLimits() {
        TokenBucket b = new TokenBucket(Double.POSITIVE_INFINITY, 1, Clock.systemUTC());
        for (int i = 0; i < 1000; i++) {
            assertThat(b.tryTake()).isTrue();
        }
    }
}
