package io.nexodus.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-source handshake limiter used under load: 20 per second with a burst of 5, idle entries forgotten. */
class RateLimiterTest {
    @Test
    void burstThenSteadyRatePerSource() {
        ManualScheduler clock = new ManualScheduler();
        RateLimiter r = new RateLimiter(clock);
        byte[] a = {10, 0, 0, 1};
        byte[] b = {10, 0, 0, 2};
        for (int i = 0; i < 5; i++) {
            assertThat(r.allow(a)).as("burst packet %d", i).isTrue();
        }
        assertThat(r.allow(a)).isFalse();
        assertThat(r.allow(b)).isTrue(); // another source has its own bucket
        clock.advance(Duration.ofMillis(49));
        assertThat(r.allow(a)).isFalse();
        clock.advance(Duration.ofMillis(2));
        assertThat(r.allow(a)).isTrue(); // one token per 50 ms
        assertThat(r.allow(a)).isFalse();
        clock.advance(Duration.ofSeconds(10));
        assertThat(r.allow(b)).isTrue(); // triggers the sweep of idle sources
        assertThat(r.size()).isEqualTo(1);
        for (int i = 0; i < 4; i++) {
            assertThat(r.allow(a)).isTrue();
        }
    }
}
