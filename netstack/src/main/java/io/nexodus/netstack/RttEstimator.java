package io.nexodus.netstack;

/**
 * The retransmission timeout of RFC 6298: SRTT and RTTVAR from samples (alpha 1/8, beta 1/4, K = 4),
 * RTO = SRTT + max(G, 4 * RTTVAR) clamped to [min, max], doubled on every timeout (exponential backoff) and kept
 * doubled until a new sample arrives. Karn's rule (no samples from retransmitted segments) is the caller's: it only
 * times segments sent once.
 */
final class RttEstimator {
    /** RFC 6298 section 5.7: the RTO to use once a connection is up after its SYN or SYN-ACK was retransmitted. */
    static final long AFTER_SYN_LOSS_NANOS = 3_000_000_000L;

    private final long min;
    private final long max;
    private final long granularity;
    private long srtt = -1;
    private long rttvar;
    private long rto;

    RttEstimator(long initial, long min, long max, long granularity) {
        this.min = min;
        this.max = max;
        this.granularity = granularity;
        this.rto = clamp(initial);
    }

    void sample(long r) {
        r = Math.max(r, 1);
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = clamp(srtt + Math.max(granularity, 4 * rttvar));
    }

    void backoff() {
        rto = Math.min(rto * 2, max);
    }

    /** After a lost SYN, when no sample was taken (Karn): RFC 6298 5.7 sets the RTO to 3 s. */
    void afterSynLoss() {
        if (srtt < 0) {
            rto = clamp(AFTER_SYN_LOSS_NANOS);
        }
    }

    long rto() {
        return rto;
    }

    long srtt() {
        return srtt;
    }

    long rttvar() {
        return rttvar;
    }

    private long clamp(long v) {
        return Math.max(min, Math.min(max, v));
    }
}
