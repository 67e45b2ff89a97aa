package io.nexodus.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The replay window, checked step by step against the numbered list of the kernel's selftest (counter.c, also used by
 * wireguard-go's replay_test.go), and the bulk window tests from the same list.
 */
class ReplayFilterTest {
    private static final long REJECT = Timings.DEFAULT.rejectAfterMessages(); // 2^64 - 2^13 - 1
    private static final long WINDOW = ReplayFilter.WINDOW; // 8128
    private static final long LIM = WINDOW + 1;

    private final ReplayFilter f = new ReplayFilter();
    private int step;

    private void t(long counter, boolean accepted) {
        step++;
        assertThat(f.validate(counter, REJECT))
                .as("step %d: counter %s", step, Long.toUnsignedString(counter))
                .isEqualTo(accepted);
    }

    @Test
    void kernelSelftestSequence() {
        f.reset();
        t(0, true);
        t(1, true);
        t(1, false);
        t(9, true);
        t(8, true);
        t(7, true);
        t(7, false);
        t(LIM, true);
        t(LIM - 1, true);
        t(LIM - 1, false);
        t(LIM - 2, true);
        t(2, true);
        t(2, false);
        t(LIM + 16, true);
        t(3, false);
        t(LIM + 16, false);
        t(LIM * 4, true);
        t(LIM * 4 - (LIM - 1), true);
        t(10, false);
        t(LIM * 4 - LIM, false);
        t(LIM * 4 - (LIM + 1), false);
        t(LIM * 4 - (LIM - 2), true);
        t(LIM * 4 + 1 - LIM, false);
        t(0, false);
        t(REJECT, false);
        t(REJECT - 1, true);
        t(REJECT, false);
        t(REJECT - 1, false);
        t(REJECT - 2, true);
        t(REJECT + 1, false);
        t(REJECT + 2, false);
        t(REJECT - 2, false);
        t(REJECT - 3, true);
        t(0, false);
    }

    @Test
    void bulkForwardThenZero() {
        f.reset();
        for (long i = 1; i <= WINDOW; i++) {
            t(i, true);
        }
        t(0, true);
        t(0, false);
    }

    @Test
    void bulkForwardFromTwoThenOneThenZeroIsOutside() {
        f.reset();
        for (long i = 2; i <= WINDOW + 1; i++) {
            t(i, true);
        }
        t(1, true);
        t(0, false);
    }

    @Test
    void bulkBackward() {
        f.reset();
        for (long i = WINDOW + 1; i > 0; i--) {
            t(i, true);
        }
    }

    @Test
    void bulkBackwardFromWindowPlusTwo() {
        f.reset();
        for (long i = WINDOW + 2; i > 1; i--) {
            t(i, true);
        }
        t(0, false);
    }

    @Test
    void bulkBackwardThenAhead() {
        f.reset();
        for (long i = WINDOW; i > 0; i--) {
            t(i, true);
        }
        t(WINDOW + 1, true);
        t(0, false);
    }

    @Test
    void bulkBackwardThenZeroThenAhead() {
        f.reset();
        for (long i = WINDOW; i > 0; i--) {
            t(i, true);
        }
        t(0, true);
        t(WINDOW + 1, true);
    }
}
