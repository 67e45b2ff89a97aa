package io.nexodus.stun;

import java.util.ArrayList;
import java.util.List;

/**
 * When one transaction sends and when it gives up, as offsets in nanoseconds from its start: sends at 0, RTO, 3·RTO,
 * 7·RTO, … (at most Rc of them, all before the timeout), failure at the last send + Rm·RTO or at the timeout,
 * whichever is first. With the RFC's RTO 500 ms, Rc 7, Rm 16 and no timeout: 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s and
 * failure at 39.5 s, exactly RFC 8489 §6.2.1's example.
 */
record RetransmissionSchedule(List<Long> sendOffsetsNanos, long giveUpNanos) {
    RetransmissionSchedule {
        sendOffsetsNanos = List.copyOf(sendOffsetsNanos);
    }

    static RetransmissionSchedule of(StunClientConfig c) {
        long rto0 = c.initialRto().toNanos();
        long timeout = c.timeout().toNanos();
        List<Long> sends = new ArrayList<>();
        long at = 0;
        long rto = rto0;
        for (int i = 0; i < c.maxRequests() && at < timeout; i++) {
            sends.add(at);
            at = saturatedAdd(at, rto);
            rto = saturatedAdd(rto, rto);
        }
        long giveUp = saturatedAdd(sends.getLast(), saturatedMultiply(rto0, c.lastWaitFactor()));
        return new RetransmissionSchedule(sends, Math.min(giveUp, timeout));
    }

    private static long saturatedMultiply(long a, int b) {
        long r = a * b;
        return Math.multiplyHigh(a, b) != 0 || r < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }
}
