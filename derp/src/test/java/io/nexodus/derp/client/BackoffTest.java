package io.nexodus.derp.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
    /** A "random" source that always returns the same fraction. */
    private static RandomGenerator fixed(double v) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return v;
            }
        };
    }

    @Test
    void growsExponentiallyUpToTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), fixed(0.5)); // factor 1.0
        assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(b.delay(7)).isEqualTo(Duration.ofMillis(5000));
        assertThat(b.delay(1000)).isEqualTo(Duration.ofMillis(5000));
    }

    @Test
    void jitterSpreadsWithinHalfToOneAndAHalf() {
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), fixed(0.0)).delay(7))
                .isEqualTo(Duration.ofMillis(2500));
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), fixed(0.999)).delay(7))
                .isEqualTo(Duration.ofMillis(7495));
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), fixed(0.0)).delay(1))
                .isEqualTo(Duration.ofMillis(50));
    }
}
