package io.nexodus.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.core.retry.Backoff.Jitter;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration MS_100 = Duration.ofMillis(100);
    private static final Duration S_5 = Duration.ofSeconds(5);

    /** A random source whose bounded draws always give the lowest (or the highest) allowed value. */
    private static RandomGenerator pinned(boolean highest) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("only bounded draws are expected");
            }

            @Override
            public long nextLong(long origin, long bound) {
                return highest ? bound - 1 : origin;
            }
        };
    }

    @Test
    void theCeilingDoublesPerFailureUpToTheCap() {
        Backoff b = new Backoff(MS_100, S_5, Jitter.FULL, pinned(true));
        assertThat(b.ceiling(0)).isEqualTo(MS_100); // counts as the first failure
        assertThat(b.ceiling(1)).isEqualTo(MS_100);
        assertThat(b.ceiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.ceiling(6)).isEqualTo(Duration.ofMillis(3200));
        assertThat(b.ceiling(7)).isEqualTo(S_5);
        assertThat(b.ceiling(64)).isEqualTo(S_5); // no overflow of the shift
        assertThat(b.ceiling(Integer.MAX_VALUE)).isEqualTo(S_5);
        assertThat(new Backoff(Duration.ofDays(365), Duration.ofDays(3650), Jitter.FULL, pinned(true)).ceiling(40))
                .isEqualTo(Duration.ofDays(3650));
    }

    @Test
    void fullJitterDrawsFromZeroToTheCeiling() {
        assertThat(new Backoff(MS_100, S_5, Jitter.FULL, pinned(false)).delay(3))
                .isEqualTo(Duration.ZERO);
        assertThat(new Backoff(MS_100, S_5, Jitter.FULL, pinned(true)).delay(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(new Backoff(MS_100, S_5, Jitter.FULL, pinned(true)).delay(30))
                .isEqualTo(S_5);
    }

    @Test
    void equalJitterDrawsFromHalfTheCeilingToTheCeiling() {
        assertThat(new Backoff(MS_100, S_5, Jitter.EQUAL, pinned(false)).delay(3))
                .isEqualTo(Duration.ofMillis(200));
        assertThat(new Backoff(MS_100, S_5, Jitter.EQUAL, pinned(true)).delay(3))
                .isEqualTo(Duration.ofMillis(400));
        assertThat(new Backoff(MS_100, S_5, Jitter.EQUAL, pinned(false)).delay(30))
                .isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void realDrawsStayInsideTheirWindowAndSpreadOverIt() {
        for (Jitter j : Jitter.values()) {
            Backoff b = new Backoff(MS_100, S_5, j, new SplittableRandom(1));
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 2000; i++) {
                long d = b.delay(4).toMillis(); // ceiling 800 ms
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            long low = j == Jitter.FULL ? 0 : 400;
            assertThat(min).as(j.name()).isBetween(low, low + 20);
            assertThat(max).as(j.name()).isBetween(780L, 800L);
        }
    }

    @Test
    void nextCountsFailuresAndResetStartsOver() {
        Backoff b = new Backoff(MS_100, Duration.ofSeconds(1), Jitter.EQUAL, pinned(true));
        assertThat(b.next()).isEqualTo(MS_100);
        assertThat(b.next()).isEqualTo(Duration.ofMillis(200));
        assertThat(b.next()).isEqualTo(Duration.ofMillis(400));
        assertThat(b.failures()).isEqualTo(3);
        assertThat(b.next()).isEqualTo(Duration.ofMillis(800));
        for (int i = 0; i < 20; i++) {
            assertThat(b.next()).isEqualTo(Duration.ofSeconds(1));
        }
        b.reset();
        assertThat(b.failures()).isZero();
        assertThat(b.next()).isEqualTo(MS_100);
    }

    @Test
    void refusesAnEmptyOrInvertedRange() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, S_5, Jitter.FULL, pinned(true)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(S_5, MS_100, Jitter.FULL, pinned(true)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
