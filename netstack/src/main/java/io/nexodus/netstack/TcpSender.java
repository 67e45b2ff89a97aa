package io.nexodus.netstack;

import java.net.ConnectException;
import java.net.SocketException;

/**
 * The sending half of a {@link TcpConnection}: the send buffer and its sequence space, the peer's window (with
 * scaling), segmentation, retransmission on the RFC 6298 timer ({@link RttEstimator}, Karn's rule: only segments sent
 * once are timed), fast retransmit and recovery ({@link NewReno}), zero-window probing (the persist timer) and
 * keepalive. Timer actions run on the stack's timer path with the lock held, like everything else here.
 * <p>
 * Sequence space: {@code iss} is the SYN; data byte {@code i} of the buffer is at {@code bufSeq + i}; once the
 * application shuts output down the FIN follows the last byte. {@code sndMax} is the highest sequence number sent
 * (plus one); after a timeout {@code sndNxt} goes back to {@code sndUna} and the data is sent again (go-back-N).
 */
final class TcpSender {
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_PERSIST_SHIFT = 10;

    private final TcpConnection c;
    private final NetStack stack;
    private final NetStackConfig config;

    final int iss;
    int sndUna;
    int sndNxt;
    int sndMax;
    /** The peer's window in bytes (already scaled). */
    int sndWnd;

    int sndWl1;
    int sndWl2;
    /** Shift applied to the peer's window fields. */
    int sndScale;
    /** Whether window scaling is on (we offer it in SYN; it is on when the peer's SYN offered it too). */
    boolean scaling = true;

    int mss;

    final ByteRing sendBuf;
    int bufSeq;
    boolean finQueued;

    final RttEstimator rtt;
    final NewReno cc;
    int retries;
    boolean synRetransmitted;
    private boolean timing;
    private int timedSeq;
    private long timedAt;
    /** When the last fast retransmission went out, and of which sequence number; 0 when checked. */
    private long fastRetransmitAt;

    private int fastRetransmitSeq;
    private int persistShift;
    private int persistProbes;
    boolean keepalive;
    private int keepaliveSent;

    final TimerWheel.Timer rtxTimer;
    final TimerWheel.Timer persistTimer;
    final TimerWheel.Timer keepaliveTimer;
    /** TIME_WAIT expiry, or the FIN_WAIT_2 limit of a connection the application closed. */
    final TimerWheel.Timer closeTimer;

    TcpSender(TcpConnection c, int iss) {
        this.c = c;
        this.stack = c.stack;
        this.config = c.config;
        this.iss = iss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.bufSeq = iss + 1;
        this.mss = c.ourMss;
        this.sendBuf = new ByteRing(config.sendBuffer());
        this.cc = new NewReno(mss, iss);
        this.rtt = new RttEstimator(
                config.rtoInitial().toNanos(),
                config.rtoMin().toNanos(),
                config.rtoMax().toNanos(),
                NetStack.TICK_NANOS);
        TimerWheel timers = stack.timers();
        this.rtxTimer = timers.newTimer(this::onRetransmitTimeout);
        this.persistTimer = timers.newTimer(this::onPersist);
        this.keepaliveTimer = timers.newTimer(this::onKeepalive);
        this.closeTimer = timers.newTimer(c::closeNow);
    }

    void setMss(int mss) {
        this.mss = mss;
        cc.setMss(mss);
    }

    void peerWindow(int window, int wl1, int wl2) {
        sndWnd = window;
        sndWl1 = wl1;
        sndWl2 = wl2;
    }

    // ---- segments ----

    /** SYN (active open) or SYN-ACK (passive or simultaneous open), first time or again. */
    void sendSyn() {
        boolean synAck = c.state == TcpState.SYN_RECEIVED;
        TcpOptions opts = new TcpOptions(c.ourMss, scaling ? c.rcvScale : -1, false, -1, -1);
        int window = Math.min(c.recvBuf.free(), 0xffff); // never scaled in a SYN (RFC 7323 2.2)
        emit(new TcpSegment(
                c.key.localPort(),
                c.key.remotePort(),
                iss,
                synAck ? c.rcvNxt : 0,
                TcpSegment.SYN | (synAck ? TcpSegment.ACK : 0),
                window,
                opts,
                EMPTY));
        if (sndNxt == iss) {
            sndNxt = iss + 1;
            sndMax = iss + 1;
            timing = true;
            timedSeq = iss + 1;
            timedAt = stack.now();
        }
        armRetransmit();
    }

    void synAcknowledged(int ack, int window, int seq) {
        sndUna = ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        peerWindow(window, seq, ack);
        stack.timers().cancel(rtxTimer);
        retries = 0;
        if (timing && !synRetransmitted) {
            rtt.sample(stack.now() - timedAt);
        }
        timing = false;
        if (synRetransmitted) {
            rtt.afterSynLoss();
        }
    }

    /**
     * A pure ACK carries {@code sndMax}, not {@code sndNxt} (as BSD does): after a timeout {@code sndNxt} goes back
     * to {@code sndUna}, and an ACK numbered below what the peer already received would be unacceptable to it and
     * dropped (RFC 9293 3.10.7.4), so a connection sending both ways would stop hearing the other's ACKs.
     */
    void sendAck() {
        emit(segment(sndMax, TcpSegment.ACK, EMPTY));
    }

    /** An old sequence number and no data: the peer must answer with an ACK (keepalive, zero-window probe). */
    private void sendProbe() {
        emit(segment(sndUna - 1, TcpSegment.ACK, EMPTY));
    }

    private TcpSegment segment(int seq, int flags, byte[] payload) {
        return new TcpSegment(
                c.key.localPort(),
                c.key.remotePort(),
                seq,
                c.rcvNxt,
                flags,
                c.windowToAdvertise(),
                TcpOptions.NONE,
                payload);
    }

    private void emit(TcpSegment s) {
        stack.emitTcp(c.key, s);
    }

    /**
     * Sends up to {@code maxLen} buffered bytes starting at {@code seq}, with FIN if they reach the end of a closed
     * stream; returns the sequence space used (0 if there was nothing to send).
     */
    private int transmit(int seq, int maxLen) {
        int offset = seq - bufSeq;
        if (offset < 0 || offset > sendBuf.size()) {
            return 0;
        }
        int len = Math.min(sendBuf.size() - offset, maxLen);
        boolean fin = finQueued && offset + len == sendBuf.size();
        if (len == 0 && !fin) {
            return 0;
        }
        int flags = TcpSegment.ACK
                | (fin ? TcpSegment.FIN : 0)
                | (len > 0 && offset + len == sendBuf.size() ? TcpSegment.PSH : 0);
        emit(segment(seq, flags, sendBuf.peek(offset, len)));
        int used = len + (fin ? 1 : 0);
        if (Seq.lt(seq, sndMax)) {
            stack.countRetransmit();
        } else if (!timing) {
            timing = true;
            timedSeq = seq + used;
            timedAt = stack.now();
        }
        // every path that sends (a retransmission too: an MSS-sized one from sndUna may reach past the smaller
        // segments first sent) moves sndMax, or the peer's ACK of the new bytes would be refused as never sent
        sndMax = Seq.max(sndMax, seq + used);
        return used;
    }

    /** Sends what the windows allow: min(peer window, cwnd) minus what is in flight, in MSS-sized segments. */
    void output() {
        if (!c.state.sends()) {
            return;
        }
        while (true) {
            int inFlight = sndNxt - sndUna;
            int allowed = Math.min(sndWnd, cc.cwnd()) - inFlight;
            int unsent = sendBuf.size() - (sndNxt - bufSeq);
            int used;
            if (unsent > 0) {
                if (allowed <= 0) {
                    break;
                }
                int len = Math.min(unsent, Math.min(mss, allowed));
                if (len < mss && len < unsent && inFlight > 0) {
                    break; // sender SWS avoidance (RFC 1122 4.2.3.4): wait for the window to open further
                }
                used = transmit(sndNxt, len);
            } else if (finQueued && unsent == 0) {
                used = transmit(sndNxt, 0);
            } else {
                break;
            }
            if (used == 0) {
                break;
            }
            sndNxt += used;
            if (!rtxTimer.armed()) {
                armRetransmit();
            }
        }
        int unsent = sendBuf.size() - (sndNxt - bufSeq);
        if (sndWnd == 0 && unsent > 0 && sndNxt == sndUna && !persistTimer.armed()) {
            armPersist();
        }
    }

    /** Accepts bytes from the application into the send buffer and sends what it can; returns how many. */
    int write(byte[] b, int off, int len) {
        int n = sendBuf.put(b, off, len);
        if (n > 0) {
            output();
        }
        return n;
    }

    // ---- acknowledgments ----

    /** Step 4 of segment arrival for synchronized states; false if the segment must be dropped. */
    boolean processAck(TcpSegment seg) {
        int ack = seg.ack();
        if (Seq.gt(ack, sndMax)) { // acknowledges something never sent
            sendAck();
            stack.countDrop(DropReason.TCP_OUT_OF_WINDOW);
            return false;
        }
        boolean windowChanged = false;
        if (Seq.lt(sndWl1, seg.seq()) || (sndWl1 == seg.seq() && Seq.le(sndWl2, ack))) {
            int w = seg.window() << sndScale;
            windowChanged = w != sndWnd;
            peerWindow(w, seg.seq(), ack);
        }
        if (Seq.lt(ack, sndUna)) {
            return true; // old duplicate; its data may still be new
        }
        if (ack == sndUna) {
            boolean duplicate =
                    seg.payload().length == 0 && !seg.has(TcpSegment.FIN) && !windowChanged && sndMax != sndUna;
            if (duplicate && cc.onDuplicateAck(ack, sndMax - sndUna, sndMax)) {
                retransmitFirst();
                fastRetransmitAt = stack.now();
                fastRetransmitSeq = sndUna;
            } else if (duplicate && !cc.inRecovery() && cc.duplicateAcks() <= 2) {
                limitedTransmit();
            }
            if (windowChanged || cc.inRecovery()) {
                windowOpened();
            }
            return true;
        }
        if (fastRetransmitAt != 0 && Seq.gt(ack, fastRetransmitSeq)) {
            spuriousRetransmitCheck();
        }
        int acked = ack - sndUna;
        int dataAcked = Math.min(acked, sendBuf.size());
        sendBuf.skip(dataAcked);
        bufSeq += dataAcked;
        sndUna = ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        retries = 0;
        if (timing && Seq.ge(ack, timedSeq)) {
            rtt.sample(stack.now() - timedAt);
            timing = false;
        }
        boolean again = cc.onNewAck(ack, acked, sndMax - sndUna);
        if (sndUna == sndMax) {
            stack.timers().cancel(rtxTimer);
        } else {
            armRetransmit();
        }
        if (again) {
            retransmitFirst();
        }
        c.changed.signalAll();
        windowOpened();
        return true;
    }

    /**
     * Reordering, not loss: the segment we fast-retransmitted is acknowledged sooner than half a round trip after the
     * retransmission, so the acknowledgment was for the original. Without that check, NewReno treats every following
     * in-order ACK as a partial ACK and sends each next segment again. The window is restored (as RFC 4015 does with
     * timestamps; we have none, so the timing decides). Connections without an RTT sample skip this.
     */
    private void spuriousRetransmitCheck() {
        long since = stack.now() - fastRetransmitAt;
        fastRetransmitAt = 0;
        if (cc.inRecovery() && rtt.srtt() > 0 && since < rtt.srtt() / 2) {
            cc.undo(sndUna);
            stack.countSpuriousRetransmit();
        }
    }

    private void windowOpened() {
        if (sndWnd > 0) {
            stack.timers().cancel(persistTimer);
            persistShift = 0;
        }
        output();
    }

    /**
     * RFC 3042: on the first and second duplicate ACK, one new segment beyond the congestion window (the peer's
     * window still limits), so that a small window still produces the three duplicates fast retransmit needs.
     */
    private void limitedTransmit() {
        int unsent = sendBuf.size() - (sndNxt - bufSeq);
        int len = Math.min(unsent, mss);
        if (len <= 0 || sndWnd - (sndNxt - sndUna) < len) {
            return;
        }
        sndNxt += transmit(sndNxt, len);
    }

    boolean finAcknowledged() {
        return finQueued && sendBuf.size() == 0 && sndUna == bufSeq + 1;
    }

    /** Fast retransmit / NewReno partial ACK: the first unacknowledged segment, now. */
    private void retransmitFirst() {
        timing = false; // Karn: the timed segment may be this one
        int used = transmit(sndUna, mss);
        if (Seq.gt(sndUna + used, sndNxt)) {
            sndNxt = sndUna + used;
        }
    }

    // ---- timers ----

    private void armRetransmit() {
        stack.timers().schedule(rtxTimer, stack.now() + rtt.rto());
    }

    private void onRetransmitTimeout() {
        stack.countTimeout();
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
            if (++retries > config.maxSynRetransmits()) {
                if (c.state == TcpState.SYN_SENT) {
                    c.fail(new ConnectException("Connection timed out"));
                } else {
                    c.closeNow();
                }
                return;
            }
            synRetransmitted = true;
            timing = false;
            rtt.backoff();
            stack.countRetransmit();
            sendSyn();
            return;
        }
        if (sndUna == sndMax || c.state == TcpState.TIME_WAIT || c.state == TcpState.CLOSED) {
            return;
        }
        if (++retries > config.maxRetransmits()) {
            c.fail(new SocketException("Connection timed out"));
            return;
        }
        rtt.backoff();
        cc.onTimeout(sndMax - sndUna, sndMax);
        timing = false;
        sndNxt = sndUna;
        // the first segment goes even into a closed window: the peer answers with its current one
        sndNxt = sndUna + transmit(sndUna, mss);
        armRetransmit();
    }

    private void armPersist() {
        long delay = Math.min(
                rtt.rto() << Math.min(persistShift, MAX_PERSIST_SHIFT),
                config.rtoMax().toNanos());
        stack.timers().schedule(persistTimer, stack.now() + delay);
    }

    /** Zero-window probe (RFC 9293 3.8.6.1), sent as Linux does: an old sequence number the peer must ACK. */
    private void onPersist() {
        int unsent = sendBuf.size() - (sndNxt - bufSeq);
        if (!c.state.sends() || sndWnd > 0 || unsent <= 0) {
            return;
        }
        if (++persistProbes > config.maxRetransmits()) {
            c.fail(new SocketException("Connection timed out (peer's window stayed closed without answers)"));
            return;
        }
        sendProbe();
        persistShift++;
        armPersist();
    }

    /** Something acceptable arrived: probes were answered, the idle time restarts. */
    void peerAlive() {
        persistProbes = 0;
        if (keepaliveTimer.armed()) {
            restartKeepalive();
        }
    }

    void restartKeepalive() {
        if (keepalive && (c.state == TcpState.ESTABLISHED || c.state == TcpState.CLOSE_WAIT)) {
            keepaliveSent = 0;
            stack.timers()
                    .schedule(
                            keepaliveTimer, stack.now() + config.keepaliveIdle().toNanos());
        }
    }

    void stopKeepaliveUnlessOpen() {
        if (c.state != TcpState.ESTABLISHED && c.state != TcpState.CLOSE_WAIT) {
            stack.timers().cancel(keepaliveTimer);
        }
    }

    private void onKeepalive() {
        if (!keepalive || (c.state != TcpState.ESTABLISHED && c.state != TcpState.CLOSE_WAIT)) {
            return;
        }
        if (keepaliveSent >= config.keepaliveProbes()) {
            c.fail(new SocketException("Connection timed out (keepalive)"));
            return;
        }
        sendProbe();
        keepaliveSent++;
        stack.timers()
                .schedule(
                        keepaliveTimer, stack.now() + config.keepaliveInterval().toNanos());
    }

    void stopTimers() {
        TimerWheel timers = stack.timers();
        timers.cancel(rtxTimer);
        timers.cancel(persistTimer);
        timers.cancel(keepaliveTimer);
    }
}
