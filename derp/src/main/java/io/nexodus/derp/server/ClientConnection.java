package io.nexodus.derp.server;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.frame.BufferPool;
import io.nexodus.derp.frame.ClientInfo;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.Frame.RecvPacket;
import io.nexodus.derp.frame.FrameFormatException;
import io.nexodus.derp.frame.FrameLimits;
import io.nexodus.derp.frame.FrameReader;
import io.nexodus.derp.frame.FrameWriter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client connection on the server. The reader runs on the connection's own (virtual) thread. Outgoing frames go
 * through bounded queues; a writer thread is started only while there is something to write, and it borrows its write
 * buffer only for that time, so an idle connection holds a socket, a 1 KiB read buffer and this object.
 * Queues: control frames, a pending Pong (capacity 1), coalesced peer-state updates for watchers, disco packets and
 * data packets (together at most {@code sendQueueDepth} each and {@code sendQueueBytes} in all; when full the oldest
 * are dropped, so a slow receiver never blocks a sender and pins a bounded amount of memory).
 */
final class ClientConnection {
    private static final int BATCH = 64;
    private static final int MAX_CONTROL = 256;

    private final DerpServer server;
    private final UpgradedConnection transport;
    private final FrameReader in;
    private final FrameWriter out;
    private final DerpServerMetrics metrics;
    final long connectedAtMillis;
    private final long keepAliveJitterMillis;

    // Identity, set once by the handshake before registration.
    NodePublicKey key;
    ClientInfo info;
    boolean canMesh;
    /** The key's client set, set at registration. */
    volatile ClientSet set;

    volatile boolean preferred;

    // Reader-thread state.
    private ClientConnection lastReceiver;
    /**
     * Receivers whose writer this reader is to start once it has handled what it has buffered: the frames of one TLS
     * record (or one socket read) then leave in one write per receiver instead of one each. See {@link #readLoop}.
     */
    private final ArrayList<ClientConnection> writersToStart = new ArrayList<>(2);

    private int framesSinceWake;
    /** At most this many frames are handled before deferred writers start, even while input keeps arriving. */
    private static final int MAX_DEFERRED_FRAMES = 16;

    private TokenBucket notHereLimiter;

    // Queue state, guarded by lock.
    private final ReentrantLock lock = new ReentrantLock();
    private ArrayDeque<Frame> control;
    private ArrayDeque<RecvPacket> packets;
    private ArrayDeque<RecvPacket> disco;
    private LinkedHashMap<NodePublicKey, Frame> peerUpdates;
    /** Packet bytes in {@link #packets} and {@link #disco}, bounded by the server's sendQueueBytes. */
    private long queuedBytes;

    private boolean pongPending;
    private long pongData;
    private boolean writing;
    private boolean closed;

    /** When the current write started (clock millis), or 0 when not writing: read by the housekeeper. */
    volatile long writeStartedMillis;

    volatile long nextKeepAliveMillis;
    private final AtomicBoolean closing = new AtomicBoolean();

    ClientConnection(
            DerpServer server,
            UpgradedConnection transport,
            BufferPool pool,
            DerpServerMetrics metrics,
            long nowMillis,
            long keepAliveJitterMillis) {
        this.server = server;
        this.transport = transport;
        this.in = transport.in();
        this.out = new FrameWriter(transport.out(), pool);
        this.metrics = metrics;
        this.connectedAtMillis = nowMillis;
        this.keepAliveJitterMillis = keepAliveJitterMillis;
    }

    InetSocketAddress remote() {
        return transport.remote();
    }

    boolean notIdeal() {
        return transport.notIdeal();
    }

    long keepAliveJitterMillis() {
        return keepAliveJitterMillis;
    }

    boolean isClosed() {
        return closing.get();
    }

    /** Writes the preamble and ServerKey synchronously: nothing else can be writing before the handshake. */
    void writeHandshake(byte[] preamble, Frame serverKey) throws IOException {
        if (preamble.length > 0) {
            out.writeRaw(preamble);
        }
        out.write(serverKey);
        out.flush();
    }

    /** Reads one frame with the server's limits (the ClientInfo during the handshake). */
    Frame readFrame() throws IOException, FrameFormatException {
        return in.readFrame(FrameLimits.SERVER);
    }

    /**
     * The reader loop after registration; returns when the connection ends. Packets are queued at once, but the
     * receivers' writers are started only when this reader is about to wait for input (or after
     * {@link #MAX_DEFERRED_FRAMES} frames), so a burst becomes one write per receiver; a writer start is never held
     * across a read that can block.
     */
    void readLoop() {
        try {
            while (!closing.get()) {
                if (!writersToStart.isEmpty() && (framesSinceWake >= MAX_DEFERRED_FRAMES || inputMayBlock())) {
                    startDeferredWriters();
                }
                Frame f;
                try {
                    f = in.readFrame(FrameLimits.SERVER);
                } catch (FrameFormatException e) {
                    server.log().debug("closing {}: {}", this, e.getMessage());
                    close(
                            e.kind() == FrameFormatException.Kind.OVERSIZED
                                    ? ConnectionCloseReason.OVERSIZED_FRAME
                                    : ConnectionCloseReason.MALFORMED_FRAME);
                    return;
                }
                server.noteActivity(this);
                framesSinceWake++;
                switch (f) {
                    case Frame.SendPacket s -> server.handleSend(this, s.destination(), s.packet());
                    case Frame.ForwardPacket fp -> {
                        if (!canMesh) {
                            close(ConnectionCloseReason.INSUFFICIENT_PERMISSIONS);
                            return;
                        }
                        server.handleForward(this, fp);
                    }
                    case Frame.NotePreferred np -> server.notePreferred(this, np.preferred());
                    case Frame.WatchConns w -> {
                        if (!canMesh) {
                            close(ConnectionCloseReason.INSUFFICIENT_PERMISSIONS);
                            return;
                        }
                        server.addWatcher(this);
                    }
                    case Frame.ClosePeer cp -> {
                        if (!canMesh) {
                            close(ConnectionCloseReason.INSUFFICIENT_PERMISSIONS);
                            return;
                        }
                        server.closePeer(cp.peer());
                    }
                    case Frame.Ping p -> {
                        metrics.pingsReceived.increment();
                        enqueuePong(p.data());
                    }
                    default -> metrics.unknownFrames.increment(); // unknown or unexpected types are skipped
                }
            }
        } catch (IOException e) {
            // EOF or a closed socket: the connection is over.
        } finally {
            startDeferredWriters(); // never strand a receiver's queue behind a writer that was not started
        }
    }

    /** Whether the next frame read may wait for the network (nothing buffered here or in the TLS layer). */
    private boolean inputMayBlock() {
        try {
            return in.buffered() == 0 && in.stream().available() == 0;
        } catch (IOException e) {
            return true;
        }
    }

    private void startDeferredWriters() {
        framesSinceWake = 0;
        for (int i = 0; i < writersToStart.size(); i++) {
            ClientConnection c = writersToStart.get(i);
            server.startWriter(c::drain);
        }
        writersToStart.clear();
    }

    /** Called on the reader thread of the sender: start {@code receiver}'s writer after this burst. */
    private void deferWriterStart(ClientConnection receiver) {
        writersToStart.add(receiver);
    }

    /** The last receiver this connection sent to (reader thread only), to skip repeated bookkeeping. */
    boolean isLastReceiver(ClientConnection c) {
        if (lastReceiver == c) {
            return true;
        }
        lastReceiver = c;
        return false;
    }

    /** Rate limit for PeerGone(NotHere) replies: burst 3, one a second (reader thread only). */
    boolean mayReplyNotHere() {
        if (notHereLimiter == null) {
            notHereLimiter = new TokenBucket(1.0, 3, server.clock());
        }
        return notHereLimiter.tryTake();
    }

    /**
     * Queues a packet; when the queue is over its packet or byte bound the oldest packets are dropped (counted
     * {@link DropReason#QUEUE_HEAD}); a packet for a closed connection is counted {@link DropReason#GONE_DISCONNECTED}.
     */
    void enqueuePacket(RecvPacket p, boolean isDisco, ClientConnection sender) {
        RecvPacket dropped = null;
        int droppedCount = 0;
        long droppedBytes = 0;
        boolean start;
        lock.lock();
        try {
            if (closed) {
                dropped = p;
            } else {
                ArrayDeque<RecvPacket> q;
                if (isDisco) {
                    if (disco == null) {
                        disco = new ArrayDeque<>(4);
                    }
                    q = disco;
                } else {
                    if (packets == null) {
                        packets = new ArrayDeque<>(8);
                    }
                    q = packets;
                }
                int len = p.packet().length;
                while (!q.isEmpty()
                        && (q.size() >= server.sendQueueDepth() || queuedBytes + len > server.sendQueueBytes())) {
                    RecvPacket old = q.pollFirst();
                    queuedBytes -= old.packet().length;
                    droppedCount++;
                    droppedBytes += old.packet().length;
                }
                q.addLast(p);
                queuedBytes += len;
            }
            start = startWriterLocked();
        } finally {
            lock.unlock();
        }
        if (dropped != null) {
            metrics.drop(DropReason.GONE_DISCONNECTED, dropped.packet().length);
        }
        if (droppedCount > 0) {
            metrics.drop(DropReason.QUEUE_HEAD, droppedCount, droppedBytes);
        }
        if (start) {
            if (sender != null && sender != this) {
                sender.deferWriterStart(this); // writing is already true: nobody else starts it meanwhile
            } else {
                server.startWriter(this::drain);
            }
        }
    }

    /** Queues a control frame (ServerInfo, KeepAlive, PeerGone). Returns false if closed or over the bound. */
    boolean enqueueControl(Frame f) {
        boolean start;
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            if (control == null) {
                control = new ArrayDeque<>(4);
            }
            if (control.size() >= MAX_CONTROL) {
                return false;
            }
            control.addLast(f);
            start = startWriterLocked();
        } finally {
            lock.unlock();
        }
        if (start) {
            server.startWriter(this::drain);
        }
        return true;
    }

    /**
     * Queues ServerInfo and holds the writer back until {@link #startHeldWriter()}: the server registers the client
     * in between, so ServerInfo is both the first frame sent and sent only once the client can receive packets.
     */
    void enqueueFirstHoldingWriter(Frame first) {
        lock.lock();
        try {
            control = new ArrayDeque<>(4);
            control.addLast(first);
            writing = true; // nobody else starts a writer until startHeldWriter()
        } finally {
            lock.unlock();
        }
    }

    void startHeldWriter() {
        server.startWriter(this::drain);
    }

    /** Queues a peer-state update for a watcher; later updates for a key replace earlier unsent ones. */
    void enqueuePeerUpdate(NodePublicKey peer, Frame update) {
        boolean start;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (peerUpdates == null) {
                peerUpdates = new LinkedHashMap<>();
            }
            peerUpdates.put(peer, update);
            start = startWriterLocked();
        } finally {
            lock.unlock();
        }
        if (start) {
            server.startWriter(this::drain);
        }
    }

    private void enqueuePong(long data) {
        boolean start;
        lock.lock();
        try {
            if (closed || pongPending) {
                return; // like Go's capacity-1 pong channel: a ping while a pong is pending is ignored
            }
            pongPending = true;
            pongData = data;
            start = startWriterLocked();
        } finally {
            lock.unlock();
        }
        if (start) {
            server.startWriter(this::drain);
        }
    }

    private boolean startWriterLocked() {
        if (writing) {
            return false;
        }
        writing = true;
        return true;
    }

    /** Fills {@code batch} in priority order; returns how many frames were taken. Caller holds the lock. */
    private int takeBatchLocked(Frame[] batch) {
        int n = 0;
        while (n < batch.length && control != null && !control.isEmpty()) {
            batch[n++] = control.pollFirst();
        }
        if (n < batch.length && pongPending) {
            batch[n++] = new Frame.Pong(pongData);
            pongPending = false;
        }
        if (peerUpdates != null) {
            var it = peerUpdates.values().iterator();
            while (n < batch.length && it.hasNext()) {
                batch[n++] = it.next();
                it.remove();
            }
        }
        while (n < batch.length && disco != null && !disco.isEmpty()) {
            RecvPacket p = disco.pollFirst();
            queuedBytes -= p.packet().length;
            batch[n++] = p;
        }
        while (n < batch.length && packets != null && !packets.isEmpty()) {
            RecvPacket p = packets.pollFirst();
            queuedBytes -= p.packet().length;
            batch[n++] = p;
        }
        return n;
    }

    /** The writer: runs while there is work, then exits and gives its buffer back. */
    private void drain() {
        Frame[] batch = new Frame[BATCH];
        boolean needFlush = false;
        int n = 0;
        int i = 0;
        try {
            while (true) {
                lock.lock();
                try {
                    n = closed ? 0 : takeBatchLocked(batch);
                    if (n == 0 && (!needFlush || closed)) {
                        out.release(); // before writing=false: a new writer may start right after
                        writing = false;
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                if (n == 0) {
                    writeStartedMillis = server.clock().millis();
                    out.flush();
                    writeStartedMillis = 0;
                    needFlush = false;
                    continue;
                }
                for (i = 0; i < n; i++) {
                    Frame f = batch[i];
                    writeStartedMillis = server.clock().millis();
                    out.write(f);
                    writeStartedMillis = 0;
                    countSent(f);
                    batch[i] = null;
                }
                needFlush = true;
            }
        } catch (IOException e) {
            writeStartedMillis = 0;
            for (int j = i; j < n; j++) {
                if (batch[j] instanceof RecvPacket p) {
                    metrics.drop(DropReason.WRITE_ERROR, p.packet().length);
                }
            }
            out.release();
            lock.lock();
            try {
                writing = false;
            } finally {
                lock.unlock();
            }
            close(ConnectionCloseReason.WRITE_ERROR);
        }
    }

    private void countSent(Frame f) {
        switch (f) {
            case RecvPacket p -> {
                metrics.packetsSent.increment();
                metrics.bytesSent.add(p.packet().length);
            }
            case Frame.Pong p -> metrics.pongsSent.increment();
            case Frame.KeepAlive k -> metrics.keepAlivesSent.increment();
            default -> {}
        }
    }

    /**
     * Closes the connection once; counts {@code reason} when given (null for an ordinary end). Queued packets are
     * counted as {@link DropReason#GONE_DISCONNECTED}.
     */
    void close(ConnectionCloseReason reason) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        if (reason != null) {
            metrics.closed(reason);
            if (reason == ConnectionCloseReason.WRITE_TIMEOUT) {
                server.log().info("closing {}: write timeout", this);
            }
        }
        lock.lock();
        try {
            closed = true;
            for (ArrayDeque<RecvPacket> q : Arrays.asList(packets, disco)) {
                if (q != null) {
                    for (RecvPacket p : q) {
                        metrics.drop(DropReason.GONE_DISCONNECTED, p.packet().length);
                    }
                    q.clear();
                }
            }
            queuedBytes = 0;
            if (control != null) {
                control.clear();
            }
            if (peerUpdates != null) {
                peerUpdates.clear();
            }
        } finally {
            lock.unlock();
        }
        try {
            transport.socket().close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "derp client " + (key == null ? "(handshaking)" : key.shortString()) + " from " + transport.remote();
    }
}
