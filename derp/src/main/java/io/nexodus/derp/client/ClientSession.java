package io.nexodus.derp.client;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.FrameReader;
import io.nexodus.derp.frame.FrameWriter;
import java.io.IOException;
import java.net.Socket;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One established client connection: the socket, its shared reader, and a bounded outgoing queue drained by one writer
 * thread (control frames first; data packets drop the oldest when full).
 */
final class ClientSession {
    private static final int MAX_CONTROL = 64;
    private static final int BATCH = 64;

    final Socket socket;
    final FrameReader in;
    private final FrameWriter out;
    final NodePublicKey serverKey;
    final boolean fastStart;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Frame> control = new ArrayDeque<>();
    private final ArrayDeque<Frame> data = new ArrayDeque<>();
    private boolean closed;
    /** When the write in progress started (clock millis), 0 when none: the watchdog reads it. */
    volatile long writeStartedMillis;

    ClientSession(Socket socket, FrameReader in, FrameWriter out, NodePublicKey serverKey, boolean fastStart) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.serverKey = serverKey;
        this.fastStart = fastStart;
    }

    /** Queues a data frame; returns true if an older frame was dropped to make room, null if closed. */
    Boolean enqueueData(Frame f, int depth) {
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            boolean dropped = false;
            if (data.size() >= depth) {
                data.pollFirst();
                dropped = true;
            }
            data.addLast(f);
            work.signal();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Queues data frames with one wake-up; returns how many older frames were dropped, or -1 if closed. */
    int enqueueAllData(List<Frame> frames, int depth) {
        lock.lock();
        try {
            if (closed) {
                return -1;
            }
            int dropped = 0;
            for (Frame f : frames) {
                if (data.size() >= depth) {
                    data.pollFirst();
                    dropped++;
                }
                data.addLast(f);
            }
            work.signal();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a control frame; false when closed or over the bound. */
    boolean enqueueControl(Frame f) {
        lock.lock();
        try {
            if (closed || control.size() >= MAX_CONTROL) {
                return false;
            }
            control.addLast(f);
            work.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The writer loop; returns when closed or a write fails (then the socket is closed to stop the reader). */
    void writeLoop(Runnable onPacketWritten, Clock clock) {
        Frame[] batch = new Frame[BATCH];
        boolean needFlush = false;
        try {
            while (true) {
                int n = 0;
                lock.lock();
                try {
                    while (!closed && control.isEmpty() && data.isEmpty() && !needFlush) {
                        work.await();
                    }
                    if (closed) {
                        return;
                    }
                    while (n < BATCH && !control.isEmpty()) {
                        batch[n++] = control.pollFirst();
                    }
                    while (n < BATCH && !data.isEmpty()) {
                        batch[n++] = data.pollFirst();
                    }
                } finally {
                    lock.unlock();
                }
                if (n == 0) {
                    writeStartedMillis = clock.millis();
                    out.flush();
                    writeStartedMillis = 0;
                    needFlush = false;
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    writeStartedMillis = clock.millis();
                    out.write(batch[i]);
                    writeStartedMillis = 0;
                    if (batch[i] instanceof Frame.SendPacket || batch[i] instanceof Frame.ForwardPacket) {
                        onPacketWritten.run();
                    }
                    batch[i] = null;
                }
                needFlush = true;
            }
        } catch (IOException e) {
            close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
        } finally {
            out.release();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            control.clear();
            data.clear();
            work.signalAll();
        } finally {
            lock.unlock();
        }
        DerpDialer.closeQuietly(socket);
    }
}
