package io.nexodus.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The failed-login budgets on a hand-moved clock. */
class LoginThrottleTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T10:00:00Z"));
    private final LoginThrottle throttle = new LoginThrottle(clock);

    private void fail(String account, String address, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(throttle.refusal(account, address))
                    .as("attempt %d", i + 1)
                    .isEmpty();
            throttle.record(account, address, false);
        }
    }

    @Test
    void anAccountGetsFiveFailuresThenOneAMinute() {
        fail("alice", "192.0.2.1", 5);
        assertThat(throttle.refusal("alice", "192.0.2.1")).contains(Duration.ofMinutes(1));
        assertThat(throttle.refusal("ALICE", "198.51.100.7"))
                .as("the account, whatever the case and the address")
                .isPresent();
        assertThat(throttle.refusal("bob", "192.0.2.1"))
                .as("another account from there")
                .isEmpty();

        clock.advance(Duration.ofSeconds(45));
        assertThat(throttle.refusal("alice", "192.0.2.1")).contains(Duration.ofSeconds(15));
        clock.advance(Duration.ofSeconds(15));
        fail("alice", "192.0.2.1", 1);
        assertThat(throttle.refusal("alice", "192.0.2.1")).isPresent();
    }

    @Test
    void aSuccessRefillsTheAccountButNotTheAddress() {
        fail("alice", "192.0.2.1", 4);
        throttle.record("alice", "192.0.2.1", true);
        fail("alice", "192.0.2.1", 5);
        assertThat(throttle.refusal("alice", "192.0.2.1")).isPresent();
    }

    @Test
    void anAddressSprayingNamesGetsTwentyFailures() {
        for (int i = 0; i < 20; i++) {
            fail("user" + i, "203.0.113.9", 1);
        }
        assertThat(throttle.refusal("user99", "203.0.113.9")).contains(Duration.ofSeconds(15));
        assertThat(throttle.refusal("user99", "203.0.113.10")).isEmpty();
        clock.advance(Duration.ofMinutes(5));
        assertThat(throttle.refusal("user99", "203.0.113.9")).isEmpty();
    }

    @Test
    void memoryStaysBounded() {
        for (int i = 0; i < LoginThrottle.MAX_ENTRIES + 10; i++) {
            throttle.record("name" + i, "2001:db8::" + Integer.toHexString(i), false);
        }
        assertThat(throttle.size()).isLessThanOrEqualTo(LoginThrottle.MAX_ENTRIES);
    }
}
