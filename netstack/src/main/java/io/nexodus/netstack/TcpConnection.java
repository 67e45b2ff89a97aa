package io.nexodus.netstack;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;

/**
 * One TCP connection: the state machine of RFC 9293 section 3.10 (segment arrival, user calls, timeouts) with
 * RFC 5961's challenge ACKs for in-window RSTs and SYNs. Sending (windows, retransmission, congestion control, the
 * persist and keepalive probes) lives in {@link TcpSender}, its counterpart.
 * <p>
 * Every method runs with the stack's lock held (see {@link NetStack}): on the thread that feeds packets in, the timer
 * thread, or an application thread inside {@link TcpSocket}. {@link #changed} is signalled whenever something an
 * application may wait for happens (data, space, state, error).
 */
final class TcpConnection {
    final NetStack stack;
    final NetStackConfig config;
    final FlowKey key;
    final Condition changed;
    /** The listener a passive connection belongs to until accepted; null for active opens and after accept. */
    TcpListener listener;

    TcpState state = TcpState.CLOSED;
    /** Why the connection ended abnormally (reset, timeout); reported to the application. */
    IOException error;

    final int ourMss;
    final TcpSender sender;

    // receive side (RFC 9293 section 3.3.1: IRS, RCV.NXT)
    int irs;
    int rcvNxt;
    /** Stream offset of {@link #rcvNxt}'s data (bytes delivered in order), for reassembly. */
    long rcvOffset;
    /** Window scale we apply to our advertised window (0 when the peer did not offer scaling). */
    int rcvScale;
    /** The right edge of the window we last advertised; never moved left, moved right by at least an MSS (SWS). */
    int advertisedEdge;

    final ByteRing recvBuf;
    final Reassembly reassembly;
    /** Stream offset of the peer's FIN once seen (it may arrive before data in front of it); -1 until then. */
    long finOffset = -1;
    /** The peer's FIN was processed: readers see end of stream once the buffer is drained. */
    boolean eof;
    /** The application closed the socket: no more reads; data still arriving is answered with a RST. */
    boolean appClosed;

    TcpConnection(NetStack stack, FlowKey key, int iss) {
        this.stack = stack;
        this.config = stack.config();
        this.key = key;
        this.changed = stack.lock().newCondition();
        this.ourMss = config.mtu() - (key.local() instanceof Inet4Address ? 20 : 40) - PacketCodec.TCP_HEADER;
        this.recvBuf = new ByteRing(config.receiveBuffer());
        this.reassembly = new Reassembly(config.receiveBuffer());
        int scale = 0;
        while ((config.receiveBuffer() >> scale) > 0xffff) {
            scale++;
        }
        this.rcvScale = scale;
        this.sender = new TcpSender(this, iss);
    }

    // ---- opening ----

    /** Active open: sends the SYN (RFC 9293 3.10.1). */
    void openActive() {
        state = TcpState.SYN_SENT;
        sender.sendSyn();
    }

    /** Passive open from a listener's SYN: answers with SYN-ACK (RFC 9293 3.10.7.2). */
    void openPassive(TcpSegment syn, TcpListener owner) {
        listener = owner;
        irs = syn.seq();
        rcvNxt = irs + 1;
        advertisedEdge = rcvNxt;
        negotiate(syn);
        sender.peerWindow(syn.window(), syn.seq(), sender.iss);
        state = TcpState.SYN_RECEIVED;
        sender.sendSyn();
    }

    private void negotiate(TcpSegment syn) {
        TcpOptions o = syn.options();
        int peerMss = o.mss() > 0 ? o.mss() : (key.local() instanceof Inet4Address ? 536 : 1220);
        sender.setMss(Math.max(64, Math.min(peerMss, ourMss)));
        sender.scaling = o.windowScale() >= 0;
        sender.sndScale = sender.scaling ? o.windowScale() : 0;
        if (!sender.scaling) {
            rcvScale = 0;
        }
    }

    // ---- segment arrival ----

    void input(TcpSegment seg) {
        if (state == TcpState.SYN_SENT) {
            inputSynSent(seg);
        } else if (state != TcpState.CLOSED) {
            inputSynchronized(seg);
        }
    }

    private void inputSynSent(TcpSegment seg) {
        boolean ackOk = false;
        if (seg.has(TcpSegment.ACK)) {
            if (Seq.le(seg.ack(), sender.iss) || Seq.gt(seg.ack(), sender.sndMax)) {
                if (!seg.has(TcpSegment.RST)) {
                    stack.sendReset(key, seg.ack(), 0, false);
                }
                stack.countDrop(DropReason.TCP_OUT_OF_WINDOW);
                return;
            }
            ackOk = true;
        }
        if (seg.has(TcpSegment.RST)) {
            if (ackOk) {
                fail(new ConnectException("Connection refused"));
            }
            return;
        }
        if (!seg.has(TcpSegment.SYN)) {
            return;
        }
        irs = seg.seq();
        rcvNxt = irs + 1;
        advertisedEdge = rcvNxt;
        negotiate(seg);
        if (ackOk) {
            sender.synAcknowledged(seg.ack(), seg.window(), seg.seq());
            state = TcpState.ESTABLISHED;
            sender.sendAck();
            sender.restartKeepalive();
            changed.signalAll();
            sender.output();
        } else { // simultaneous open (RFC 9293 figure 7)
            state = TcpState.SYN_RECEIVED;
            sender.sendSyn();
        }
    }

    private void inputSynchronized(TcpSegment seg) {
        if (state == TcpState.SYN_RECEIVED && seg.has(TcpSegment.SYN) && !seg.has(TcpSegment.ACK) && seg.seq() == irs) {
            sender.sendSyn(); // the peer's SYN again: our SYN-ACK was lost
            return;
        }
        // 1. sequence number check
        if (!acceptable(seg)) {
            if (!seg.has(TcpSegment.RST)) {
                sender.sendAck();
                if (state == TcpState.TIME_WAIT && seg.has(TcpSegment.FIN)) {
                    enterTimeWait(); // a retransmitted FIN: our last ACK was lost, wait 2*MSL again
                }
            }
            stack.countDrop(DropReason.TCP_OUT_OF_WINDOW);
            return;
        }
        sender.peerAlive();
        // 2. RST (RFC 5961 section 3.2: only an exact match resets, others get a challenge ACK)
        if (seg.has(TcpSegment.RST)) {
            if (seg.seq() != rcvNxt) {
                sender.sendAck();
            } else if (state == TcpState.SYN_RECEIVED && listener != null) {
                closeNow(); // the peer gave up on a half-open connection: back to the listener's quiet state
            } else if (state == TcpState.SYN_RECEIVED) {
                fail(new ConnectException("Connection refused"));
            } else if (state == TcpState.CLOSING || state == TcpState.LAST_ACK || state == TcpState.TIME_WAIT) {
                closeNow();
            } else {
                fail(new SocketException("Connection reset"));
            }
            return;
        }
        // 3. SYN in a synchronized state (RFC 5961 section 4.2): challenge ACK, never a reset
        if (seg.has(TcpSegment.SYN)) {
            sender.sendAck();
            return;
        }
        // 4. ACK
        if (!seg.has(TcpSegment.ACK)) {
            return;
        }
        if (state == TcpState.SYN_RECEIVED) {
            if (Seq.le(seg.ack(), sender.sndUna) || Seq.gt(seg.ack(), sender.sndMax)) {
                stack.sendReset(key, seg.ack(), 0, false);
                return;
            }
            sender.synAcknowledged(seg.ack(), seg.window() << sender.sndScale, seg.seq());
            state = TcpState.ESTABLISHED;
            sender.restartKeepalive();
            if (listener != null) {
                listener.established(this);
            }
            changed.signalAll();
        } else if (!sender.processAck(seg)) {
            return;
        }
        if (state == TcpState.CLOSED) {
            return;
        }
        if (sender.finAcknowledged()) {
            switch (state) {
                case FIN_WAIT_1 -> {
                    state = TcpState.FIN_WAIT_2;
                    if (appClosed) {
                        stack.timers()
                                .schedule(
                                        sender.closeTimer,
                                        stack.now() + config.finWait2Timeout().toNanos());
                    }
                    changed.signalAll();
                }
                case CLOSING -> enterTimeWait();
                case LAST_ACK -> {
                    closeNow();
                    return;
                }
                default -> {}
            }
        }
        // 6. segment text
        boolean ack = false;
        byte[] data = seg.payload();
        int seq = seg.seq();
        if (data.length > 0) {
            ack = true;
            if (state.receives()) {
                if (appClosed && Seq.gt(seq + data.length, rcvNxt)) { // RFC 1122 4.2.2.13: nobody will read it
                    stack.sendReset(key, sender.sndMax, 0, false);
                    fail(new SocketException("Connection reset after close"));
                    return;
                }
                receive(seq, data);
            }
        }
        // 7. FIN
        if (seg.has(TcpSegment.FIN) && state.receives() && finOffset < 0) {
            long end = rcvOffset + (seq + data.length - rcvNxt);
            if (end <= rcvOffset + recvBuf.free()) { // a FIN trimmed off by the window is not seen
                finOffset = end;
            }
            ack = true;
        }
        if (finOffset >= 0 && finOffset == rcvOffset && !eof) {
            finReceived();
        }
        if (ack) {
            sender.sendAck();
        }
    }

    /** RFC 9293 3.10.7.4's four cases, with the allowance for ACKs and RSTs at RCV.NXT into a zero window. */
    private boolean acceptable(TcpSegment seg) {
        int len = seg.seqLength();
        int wnd = Math.max(recvBuf.free(), advertisedEdge - rcvNxt);
        int seq = seg.seq();
        if (wnd == 0) {
            return seq == rcvNxt;
        }
        if (len == 0) {
            return inWindow(seq, wnd);
        }
        return inWindow(seq, wnd) || inWindow(seq + len - 1, wnd);
    }

    private boolean inWindow(int seq, int wnd) {
        return Seq.le(rcvNxt, seq) && Seq.lt(seq, rcvNxt + wnd);
    }

    /** Takes in-window bytes: in order into the receive buffer, ahead of a hole into reassembly. */
    private void receive(int seq, byte[] data) {
        int skip = rcvNxt - seq;
        int start = Math.max(0, skip);
        if (start >= data.length) {
            return; // all old
        }
        int room = recvBuf.free() - Math.max(0, seq - rcvNxt);
        int end = Math.min(data.length, start + Math.max(0, room));
        if (end <= start) {
            return;
        }
        if (skip >= 0) {
            deliver(data, start, end - start);
            byte[] next;
            while ((next = reassembly.takeAt(rcvOffset)) != null) {
                deliver(next, 0, next.length);
            }
            changed.signalAll();
        } else {
            byte[] piece = start == 0 && end == data.length ? data : Arrays.copyOfRange(data, start, end);
            reassembly.add(rcvOffset - skip, piece);
        }
    }

    private void deliver(byte[] b, int off, int len) {
        int n = recvBuf.put(b, off, len);
        rcvNxt += n;
        rcvOffset += n;
    }

    private void finReceived() {
        eof = true;
        rcvNxt += 1;
        switch (state) {
            case ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> state = TcpState.CLOSING;
            case FIN_WAIT_2 -> enterTimeWait();
            default -> {}
        }
        sender.stopKeepaliveUnlessOpen();
        changed.signalAll();
    }

    /** The window field for a non-SYN segment: free space, edge kept still for small openings, scaled. */
    int windowToAdvertise() {
        int free = recvBuf.free();
        int edge = rcvNxt + free;
        int threshold = Math.min(ourMss, recvBuf.capacity() / 2);
        int win = free;
        if (Seq.gt(edge, advertisedEdge) && edge - advertisedEdge < threshold && Seq.ge(advertisedEdge, rcvNxt)) {
            win = advertisedEdge - rcvNxt; // receiver SWS avoidance (RFC 1122 4.2.3.3)
        }
        int encoded = Math.min(win >>> rcvScale, 0xffff);
        int newEdge = rcvNxt + (encoded << rcvScale);
        if (Seq.gt(newEdge, advertisedEdge)) {
            advertisedEdge = newEdge;
        }
        return encoded;
    }

    // ---- user calls (lock held, from TcpSocket) ----

    /** Moves received bytes to the application, sending a window update when the window opened enough. */
    int read(byte[] b, int off, int len) {
        int n = recvBuf.take(b, off, len);
        if (n > 0 && state.isSynchronized()) {
            int window = Math.min(recvBuf.free(), 0xffff << rcvScale);
            if ((rcvNxt + window) - advertisedEdge >= Math.min(ourMss, recvBuf.capacity() / 2)) {
                sender.sendAck(); // window update
            }
        }
        return n;
    }

    /** The application will send no more: queue our FIN behind the data (RFC 9293 3.10.4). */
    void shutdownOutput() {
        if (sender.finQueued) {
            return;
        }
        switch (state) {
            case SYN_SENT, SYN_RECEIVED -> {
                closeNow();
                return;
            }
            case ESTABLISHED -> state = TcpState.FIN_WAIT_1;
            case CLOSE_WAIT -> state = TcpState.LAST_ACK;
            default -> {
                return;
            }
        }
        sender.finQueued = true;
        sender.output();
        changed.signalAll();
    }

    /**
     * The application closed the socket. Unread data means the peer's data is lost: abort with a RST (RFC 2525
     * section 2.17, as Linux does); otherwise send FIN after the queued data and let the connection finish alone.
     */
    void close() {
        appClosed = true;
        if (recvBuf.size() > 0 || !reassembly.isEmpty()) {
            abort();
            return;
        }
        shutdownOutput();
        if (state == TcpState.FIN_WAIT_2) {
            stack.timers()
                    .schedule(
                            sender.closeTimer,
                            stack.now() + config.finWait2Timeout().toNanos());
        }
        changed.signalAll();
    }

    /** Abortive close: RST to the peer (in states where it knows us), then gone. */
    void abort() {
        if (state.isSynchronized() || state == TcpState.SYN_RECEIVED) {
            stack.sendReset(key, sender.sndMax, rcvNxt, true);
        }
        if (error == null) {
            error = new SocketException("Socket closed");
        }
        closeNow();
    }

    String describe() {
        TcpSender t = sender;
        return key.localPort() + ">" + key.remotePort() + " " + state + " una=" + (t.sndUna - t.iss) + " nxt="
                + (t.sndNxt - t.iss) + " max=" + (t.sndMax - t.iss) + " buffered=" + t.sendBuf.size() + " fin="
                + t.finQueued + " wnd=" + t.sndWnd + " cwnd=" + t.cc.cwnd() + " recovery=" + t.cc.inRecovery()
                + " rto=" + t.rtt.rto() / 1_000_000 + "ms retries=" + t.retries + " rtx=" + t.rtxTimer.armed()
                + " persist=" + t.persistTimer.armed() + " | rcvNxt=" + (rcvNxt - irs) + " unread=" + recvBuf.size()
                + " ooo=" + reassembly.bytes() + " eof=" + eof + " closed=" + appClosed;
    }

    // ---- endings ----

    void enterTimeWait() {
        state = TcpState.TIME_WAIT;
        sender.stopTimers();
        stack.timers()
                .schedule(sender.closeTimer, stack.now() + config.timeWait().toNanos());
        changed.signalAll();
    }

    /** Ends with an error the application sees (reset, refused, timed out). */
    void fail(IOException e) {
        if (error == null) {
            error = e;
        }
        closeNow();
    }

    /** Leaves the table: no more segments, timers or buffers. */
    void closeNow() {
        if (state == TcpState.CLOSED && !stack.hasConnection(this)) {
            return;
        }
        state = TcpState.CLOSED;
        sender.stopTimers();
        stack.timers().cancel(sender.closeTimer);
        reassembly.clear();
        sender.sendBuf.skip(sender.sendBuf.size());
        sender.sendBuf.release();
        stack.removeConnection(this);
        if (listener != null) {
            listener.forget(this);
        }
        changed.signalAll();
    }
}
