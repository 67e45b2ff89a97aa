package io.nexodus.derp.tls;

import io.nexodus.derp.frame.BufferPool;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/**
 * TLS over a plain socket with an {@link SSLEngine}, so that an idle connection holds no TLS buffers at all: a reader
 * blocked waiting for the next record holds only a 5-byte header array; record and plaintext buffers are borrowed from
 * pools while records are being processed (or their plaintext consumed) and while a write is in progress. JSSE's
 * {@code SSLSocket} instead keeps several KiB of record buffers per connection forever, which is most of an idle relay
 * connection's memory.
 *
 * <p>Reads take whatever the socket has (up to a packet buffer) in one system call, so a busy connection decrypts
 * several records per read; the ciphertext buffer is kept only while it holds unprocessed bytes, which an idle
 * connection never does (a sender stops at a record boundary). {@link #input()}'s {@code available()} counts plaintext
 * and whole buffered records without a system call.
 *
 * <p>One reader thread at a time and any number of writer threads (writes are serialised).
 */
public final class EngineTlsConnection {
    private static final int HEADER = 5;

    private final Socket socket;
    private final SSLEngine engine;
    private final InputStream rawIn;
    private final OutputStream rawOut;
    private final BufferPool packetBuffers;
    private final BufferPool appBuffers;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final byte[] header = new byte[HEADER];
    /** Plaintext not yet handed to the reader (borrowed from appBuffers), or null. Reader thread only. */
    private ByteBuffer pending;
    /** The pooled array behind {@link #pending}, given back when it is read. */
    private byte[] pendingArray;
    /** Ciphertext read but not yet decrypted, {@code net[netPos, netLim)} (borrowed from packetBuffers), or null. */
    private byte[] net;

    private int netPos;
    private int netLim;
    private boolean inboundDone;

    /**
     * @param packetBuffers buffers of at least the engine's packet buffer size
     * @param appBuffers    buffers of at least the engine's application buffer size
     */
    public EngineTlsConnection(Socket socket, SSLEngine engine, BufferPool packetBuffers, BufferPool appBuffers)
            throws IOException {
        this.socket = socket;
        this.engine = engine;
        this.rawIn = socket.getInputStream();
        this.rawOut = socket.getOutputStream();
        this.packetBuffers = packetBuffers;
        this.appBuffers = appBuffers;
        int packet = engine.getSession().getPacketBufferSize();
        int app = engine.getSession().getApplicationBufferSize();
        if (packetBuffers.bufferSize() < packet || appBuffers.bufferSize() < app) {
            throw new IllegalArgumentException("TLS buffers too small: need " + packet + "/" + app);
        }
    }

    /** Runs the handshake to completion (bounded by whoever closes the socket on a deadline). */
    public void handshake() throws IOException {
        engine.beginHandshake();
        byte[] netArray = packetBuffers.take();
        byte[] appArray = appBuffers.take();
        try {
            ByteBuffer net = ByteBuffer.wrap(netArray);
            ByteBuffer app = ByteBuffer.wrap(appArray);
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_TASK -> runTasks();
                    case NEED_WRAP -> wrapAndSend(ByteBuffer.allocate(0));
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        readRecord(net);
                        app.clear();
                        SSLEngineResult r = unwrap(net, app);
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw new SSLHandshakeException("peer closed the connection during the TLS handshake");
                        }
                        if (app.position() > 0) {
                            throw new SSLHandshakeException("application data before the handshake finished");
                        }
                    }
                    case FINISHED, NOT_HANDSHAKING -> {
                        return;
                    }
                }
            }
        } finally {
            packetBuffers.give(netArray);
            appBuffers.give(appArray);
        }
    }

    public SSLSession session() {
        return engine.getSession();
    }

    public String applicationProtocol() {
        return engine.getApplicationProtocol();
    }

    public Socket socket() {
        return socket;
    }

    /** Decrypted input. */
    public InputStream input() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return readPlain(b, off, len);
            }

            @Override
            public int available() {
                if (pending != null) {
                    return pending.remaining();
                }
                return bufferedRecordLength() > 0 ? 1 : 0; // a whole record decrypts without blocking
            }

            @Override
            public void close() throws IOException {
                socket.close();
            }
        };
    }

    /** Encrypting output: each write becomes as few records as possible. */
    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writePlain(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                rawOut.flush();
            }

            @Override
            public void close() throws IOException {
                socket.close();
            }
        };
    }

    private int readPlain(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pending == null) {
            if (inboundDone) {
                return -1;
            }
            readAndDecryptRecord();
        }
        int n = Math.min(len, pending.remaining());
        pending.get(b, off, n);
        if (!pending.hasRemaining()) {
            appBuffers.give(pendingArray);
            pending = null;
            pendingArray = null;
        }
        return n;
    }

    /**
     * Decrypts the next record; leaves its plaintext (if any) in {@link #pending}. When no ciphertext is buffered the
     * header is read before any buffer is borrowed: an idle connection blocks here holding only the 5-byte array.
     */
    private void readAndDecryptRecord() throws IOException {
        int recordLength = bufferedRecordLength();
        if (recordLength == 0) {
            recordLength = readRecordIntoBuffer();
            if (recordLength < 0) {
                inboundDone = true;
                return;
            }
        }
        byte[] appArray = appBuffers.take();
        boolean keepApp = false;
        try {
            ByteBuffer in = ByteBuffer.wrap(net, netPos, recordLength);
            ByteBuffer app = ByteBuffer.wrap(appArray);
            SSLEngineResult r = unwrap(in, app);
            netPos += recordLength;
            if (netPos == netLim) {
                releaseNet(); // nothing left over: hold no ciphertext buffer while waiting
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                inboundDone = true; // close_notify
            }
            finishPostHandshake(r.getHandshakeStatus());
            if (app.position() > 0) {
                app.flip();
                pending = app;
                pendingArray = appArray;
                keepApp = true;
            }
        } finally {
            if (!keepApp) {
                appBuffers.give(appArray);
            }
        }
    }

    /** The length of the whole record at {@code net[netPos]}, or 0 when none is completely buffered. */
    private int bufferedRecordLength() {
        if (net == null || netLim - netPos < HEADER) {
            return 0;
        }
        int len = HEADER + (((net[netPos + 3] & 0xff) << 8) | (net[netPos + 4] & 0xff));
        return netLim - netPos >= len ? len : 0;
    }

    /**
     * Reads until a whole record is buffered at {@code net[netPos]} (taking whatever else the socket has, up to the
     * buffer's size); returns its length, or -1 on EOF at a record boundary.
     */
    private int readRecordIntoBuffer() throws IOException {
        if (net == null) {
            if (!readFully(header, 0, HEADER, true)) {
                return -1;
            }
            net = packetBuffers.take();
            System.arraycopy(header, 0, net, 0, HEADER);
            netPos = 0;
            netLim = HEADER;
        } else if (netPos > 0) {
            System.arraycopy(net, netPos, net, 0, netLim - netPos); // keep the partial record at the start
            netLim -= netPos;
            netPos = 0;
        }
        while (netLim < HEADER) {
            fill(true);
        }
        int type = net[0] & 0xff;
        if (type < 20 || type > 24 || net[1] != 3) { // change_cipher_spec..heartbeat, version 3.x
            throw new SSLException("not a TLS record (plain HTTP on the TLS port?)");
        }
        int len = HEADER + (((net[3] & 0xff) << 8) | (net[4] & 0xff));
        if (len == HEADER || len > net.length) {
            throw new SSLException("bad TLS record length " + (len - HEADER));
        }
        while (netLim < len) {
            fill(false);
        }
        return len;
    }

    /** One read into the free end of {@link #net}; EOF is an error unless {@code eofOk} and nothing is buffered. */
    private void fill(boolean eofOk) throws IOException {
        int r = rawIn.read(net, netLim, net.length - netLim);
        if (r < 0) {
            throw new EOFException(
                    eofOk && netLim == 0 ? "connection closed" : "connection closed inside a TLS record");
        }
        netLim += r;
    }

    private void releaseNet() {
        if (net != null) {
            byte[] b = net;
            net = null;
            netPos = 0;
            netLim = 0;
            packetBuffers.give(b);
        }
    }

    /** TLS 1.3 post-handshake messages (KeyUpdate, tickets) may need tasks or a reply. */
    private void finishPostHandshake(SSLEngineResult.HandshakeStatus hs) throws IOException {
        while (true) {
            switch (hs) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> wrapAndSend(ByteBuffer.allocate(0));
                default -> {
                    return;
                }
            }
            hs = engine.getHandshakeStatus();
        }
    }

    private void writePlain(byte[] b, int off, int len) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        while (src.hasRemaining()) {
            int before = src.remaining();
            wrapAndSend(src);
            if (src.remaining() == before) {
                throw new SSLException("TLS engine made no progress writing (" + engine.getHandshakeStatus() + ")");
            }
        }
    }

    /** Wraps (part of) {@code src} into one or more records and writes them. */
    private void wrapAndSend(ByteBuffer src) throws IOException {
        writeLock.lock();
        byte[] netArray = packetBuffers.take();
        try {
            ByteBuffer net = ByteBuffer.wrap(netArray);
            do {
                net.clear();
                SSLEngineResult r = engine.wrap(src, net);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) {
                    throw new SSLException("TLS connection closed");
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    throw new SSLException("TLS record larger than the packet buffer");
                }
                if (net.position() > 0) {
                    rawOut.write(netArray, 0, net.position());
                }
                if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runTasks();
                }
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    break;
                }
            } while (src.hasRemaining() && engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_UNWRAP);
        } finally {
            packetBuffers.give(netArray);
            writeLock.unlock();
        }
    }

    private SSLEngineResult unwrap(ByteBuffer net, ByteBuffer app) throws IOException {
        try {
            SSLEngineResult r = engine.unwrap(net, app);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                    || r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                throw new SSLException("TLS record could not be processed: " + r.getStatus());
            }
            return r;
        } catch (SSLException e) {
            sendAlertQuietly();
            throw e;
        }
    }

    /** After a fatal error the engine has an alert to send; try once so the peer learns why. */
    private void sendAlertQuietly() {
        try {
            if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                wrapAndSend(ByteBuffer.allocate(0));
            }
        } catch (IOException | RuntimeException ignored) {
            // the connection is failing anyway
        }
    }

    /** Reads one whole record during the handshake (buffers are held for the whole handshake anyway). */
    private void readRecord(ByteBuffer net) throws IOException {
        if (!readFully(header, 0, HEADER, true)) {
            throw new EOFException("connection closed during the TLS handshake");
        }
        readBody(net);
    }

    /** After {@link #header} was read: puts header and body into {@code net}, flipped for reading. */
    private void readBody(ByteBuffer net) throws IOException {
        int type = header[0] & 0xff;
        if (type < 20 || type > 24 || header[1] != 3) { // change_cipher_spec..heartbeat, version 3.x
            throw new SSLException("not a TLS record (plain HTTP on the TLS port?)");
        }
        int len = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
        if (len == 0 || HEADER + len > net.capacity()) {
            throw new SSLException("bad TLS record length " + len);
        }
        net.clear();
        net.put(header);
        readFully(net.array(), net.arrayOffset() + HEADER, len, false);
        net.position(HEADER + len);
        net.flip();
    }

    private boolean readFully(byte[] b, int off, int len, boolean eofOkAtStart) throws IOException {
        int done = 0;
        while (done < len) {
            int r = rawIn.read(b, off + done, len - done);
            if (r < 0) {
                if (done == 0 && eofOkAtStart) {
                    return false;
                }
                throw new EOFException("connection closed inside a TLS record");
            }
            done += r;
        }
        return true;
    }

    private void runTasks() {
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) {
            t.run();
        }
    }

    /** Sends close_notify if a write is not in progress, then closes the socket. */
    public void close() {
        try {
            engine.closeOutbound();
            if (writeLock.tryLock()) {
                try {
                    byte[] netArray = packetBuffers.take();
                    try {
                        ByteBuffer net = ByteBuffer.wrap(netArray);
                        engine.wrap(ByteBuffer.allocate(0), net);
                        if (net.position() > 0) {
                            rawOut.write(netArray, 0, net.position());
                        }
                    } finally {
                        packetBuffers.give(netArray);
                    }
                } finally {
                    writeLock.unlock();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed
            }
        }
    }
}
