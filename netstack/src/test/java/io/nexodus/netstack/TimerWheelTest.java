package io.nexodus.netstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    static final long MS = 1_000_000L;

    @Test
    void firesAtTheDeadlineNotBeforeAndInOrder() {
        List<String> fired = new ArrayList<>();
        TimerWheel w = new TimerWheel(MS, 8, 0);
        TimerWheel.Timer a = w.newTimer(() -> fired.add("a"));
        TimerWheel.Timer b = w.newTimer(() -> fired.add("b"));
        w.schedule(a, 5 * MS + 1);
        w.schedule(b, 3 * MS);
        w.advance(3 * MS - 1);
        assertThat(fired).isEmpty();
        w.advance(5 * MS);
        assertThat(fired).containsExactly("b");
        w.advance(6 * MS);
        assertThat(fired).containsExactly("b", "a");
        assertThat(w.size()).isZero();
    }

    @Test
    void timersBeyondOneTurnWaitForTheirRoundAndBigJumpsFireEverything() {
        List<Long> fired = new ArrayList<>();
        TimerWheel w = new TimerWheel(MS, 8, 0);
        for (long d : new long[] {3, 11, 19, 100}) {
            TimerWheel.Timer t = w.newTimer(() -> fired.add(d));
            w.schedule(t, d * MS);
        }
        for (long now = 1; now <= 20; now++) {
            w.advance(now * MS);
        }
        assertThat(fired).containsExactly(3L, 11L, 19L);
        assertThat(w.nextWakeup()).isEqualTo(28 * MS); // nothing due within a turn: wake a turn later
        w.advance(1000 * MS);
        assertThat(fired).containsExactly(3L, 11L, 19L, 100L);
    }

    @Test
    void rescheduleAndCancelMoveTheTimer() {
        int[] n = {0};
        TimerWheel w = new TimerWheel(MS, 16, 0);
        TimerWheel.Timer t = w.newTimer(() -> n[0]++);
        w.schedule(t, 2 * MS);
        w.schedule(t, 10 * MS);
        assertThat(w.nextWakeup()).isEqualTo(10 * MS);
        w.advance(5 * MS);
        assertThat(n[0]).isZero();
        w.cancel(t);
        w.advance(20 * MS);
        assertThat(n[0]).isZero();
        // an action that schedules itself again (a periodic timer) fires once per advance
        TimerWheel.Timer[] self = new TimerWheel.Timer[1];
        self[0] = w.newTimer(() -> {
            n[0]++;
            w.schedule(self[0], 0);
        });
        w.schedule(self[0], 21 * MS);
        w.advance(21 * MS);
        w.advance(22 * MS);
        assertThat(n[0]).isEqualTo(2);
    }

    @Test
    void schedulingEarlierThanThePlannedWakeupIsSignalled() {
        int[] signals = {0};
        TimerWheel w = new TimerWheel(MS, 16, 0);
        w.onEarlier(() -> signals[0]++);
        w.nextWakeup(); // nothing: planned a turn ahead
        TimerWheel.Timer t = w.newTimer(() -> {});
        w.schedule(t, 5 * MS);
        assertThat(signals[0]).isEqualTo(1);
        w.schedule(t, 7 * MS);
        assertThat(signals[0]).isEqualTo(1);
    }
}
