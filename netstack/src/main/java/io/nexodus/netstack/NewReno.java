package io.nexodus.netstack;

/**
 * Congestion control: slow start and congestion avoidance of RFC 5681 with the initial window of RFC 6928, fast
 * retransmit on the third duplicate ACK (the first two may each release one new segment: RFC 3042 limited transmit,
 * done by the connection), and fast recovery with NewReno's partial-ACK handling (RFC 6582,
 * "Slow-but-Steady": the retransmission timer restarts on every partial ACK). Windows in bytes.
 * <p>
 * The connection tells it what happened and does what it answers: {@link #onDuplicateAck} and {@link #onNewAck}
 * return true when the first unacknowledged segment must be retransmitted now.
 */
final class NewReno {
    private static final int MAX_CWND = 1 << 30;

    private int mss;
    private int cwnd;
    private int ssthresh = MAX_CWND;
    private int dupAcks;
    private boolean inRecovery;
    private int recover;
    private int priorCwnd;
    private int priorSsthresh;

    NewReno(int mss, int iss) {
        setMss(mss);
        this.recover = iss;
    }

    /** Sets the segment size once negotiated, and the initial window from it (RFC 6928). */
    void setMss(int mss) {
        this.mss = mss;
        this.cwnd = Math.min(10 * mss, Math.max(2 * mss, 14600));
    }

    int cwnd() {
        return cwnd;
    }

    int ssthresh() {
        return ssthresh;
    }

    boolean inRecovery() {
        return inRecovery;
    }

    /** Duplicate ACKs in a row outside recovery (RFC 3042 limited transmit uses the first two). */
    int duplicateAcks() {
        return dupAcks;
    }

    /**
     * A duplicate ACK (RFC 5681 section 2). {@code flight} is what was outstanding, {@code sndMax} the next new
     * sequence number.
     */
    boolean onDuplicateAck(int ack, int flight, int sndMax) {
        if (inRecovery) {
            cwnd = Math.min(MAX_CWND, cwnd + mss); // inflate: a segment has left the network
            return false;
        }
        dupAcks++;
        // RFC 6582 section 3.2 step 1: no new recovery for losses from before the last one (or the last timeout)
        if (dupAcks == 3 && Seq.ge(ack, recover)) {
            priorCwnd = cwnd;
            priorSsthresh = ssthresh;
            ssthresh = Math.max(flight / 2, 2 * mss);
            recover = sndMax;
            cwnd = ssthresh + 3 * mss;
            inRecovery = true;
            return true;
        }
        return false;
    }

    /** An ACK that acknowledged {@code acked} new bytes up to {@code ack}; {@code flight} is what is still out. */
    boolean onNewAck(int ack, int acked, int flight) {
        dupAcks = 0;
        if (inRecovery) {
            if (Seq.ge(ack, recover)) { // full acknowledgment: leave recovery, deflate (RFC 6582 step 3, option 1)
                inRecovery = false;
                cwnd = Math.min(ssthresh, Math.max(flight, mss) + mss);
                return false;
            }
            // partial acknowledgment: the next hole is lost too
            cwnd = Math.max(mss, cwnd - acked + (acked >= mss ? mss : 0));
            return true;
        }
        if (cwnd < ssthresh) {
            cwnd = Math.min(MAX_CWND, cwnd + Math.min(acked, mss));
        } else {
            cwnd = Math.min(MAX_CWND, cwnd + Math.max(1, (int) ((long) mss * mss / cwnd)));
        }
        return false;
    }

    /** The last fast retransmission was spurious: leave recovery with the window from before it. */
    void undo(int ack) {
        cwnd = Math.max(cwnd, priorCwnd);
        ssthresh = Math.max(ssthresh, priorSsthresh);
        inRecovery = false;
        dupAcks = 0;
        recover = ack;
    }

    /** The retransmission timer fired (RFC 5681 section 3.1, equation 4; RFC 6582 section 4). */
    void onTimeout(int flight, int sndMax) {
        ssthresh = Math.max(flight / 2, 2 * mss);
        cwnd = mss;
        dupAcks = 0;
        inRecovery = false;
        recover = sndMax;
    }
}
