package io.nexodus.bench.controlplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * One watch stream as an agent holds it: {@code POST /api/vpcs/{id}/events?public_key=…} with the device's {@code DT:}
 * token and the agent's watches, over its own HTTP/1.1 connection, read by one virtual thread.
 * <p>
 * It is deliberately a lean client (a plain socket, a 64 KB read buffer, a chunked-transfer decoder and a line
 * splitter that finds newlines a vector register at a time) rather than the JDK HttpClient and full JSON decoding an
 * agent would use: 10 000 of them share two CPUs with the service (and read ~95 GB of initial lists at 10 000 x 10 000),
 * and the benchmark measures the service. Each line is classified by its fixed prefix
 * ({@code {"kind":…,"type":…}}, the service's serialization order) and, after the initial list, searched for the
 * benchmark's marker endpoint ({@link #MARKER_HOST}{@code :<40000+change>}), whose arrival time is reported.
 */
final class WatchStreamClient {
    /** The address of the endpoint the benchmark's changes set; the port encodes the change number. */
    static final String MARKER_HOST = "198.51.100.77";

    static final int MARKER_PORT_BASE = 40000;
    private static final byte[] MARKER = (MARKER_HOST + ":").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DEVICE_CHANGE =
            "{\"kind\":\"device\",\"type\":\"change\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE_TAIL = "\"type\":\"tail\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE_ERROR = "\"type\":\"error\"".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEAD = 16 * 1024;
    private static final int MAX_LINE = 4 * 1024 * 1024;
    private static final int READ_BUFFER = 64 * 1024;

    /** What a stream reports (called on its virtual thread). */
    interface Listener {
        /** The stream's response headers arrived (the service accepted it). */
        void opened(WatchStreamClient c);

        /** Every watch of the stream has sent its tail: the initial list is complete. */
        void synced(WatchStreamClient c);

        /** The change with number {@code change} arrived at {@code nanos} ({@link System#nanoTime()}). */
        void marker(WatchStreamClient c, int change, long nanos);

        /** The stream failed or ended before it was closed by the benchmark. */
        void failed(WatchStreamClient c, String why);
    }

    private final int index;
    private final InetSocketAddress server;
    private final byte[] request;
    private final int watches;
    private final Listener listener;
    private final int connectTimeoutMs;
    private volatile Socket socket;
    private volatile boolean closing;

    // state of the reader thread (read by the coordinator only after the thread has reported)
    private volatile long startNanos;
    private volatile long syncedNanos;
    private volatile int deviceEventsAtSync;
    private volatile int connectAttempts;
    private int tails;
    private int deviceEvents;
    private boolean synced;

    WatchStreamClient(
            int index, InetSocketAddress server, byte[] request, int watches, int connectTimeoutMs, Listener listener) {
        this.index = index;
        this.server = server;
        this.request = request;
        this.watches = watches;
        this.connectTimeoutMs = connectTimeoutMs;
        this.listener = listener;
    }

    /** The HTTP request of one agent's stream. */
    static byte[] request(InetSocketAddress server, String path, String bearer, byte[] jsonBody) {
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: " + server.getHostString() + ":" + server.getPort() + "\r\n"
                + "User-Agent: nexodus-bench/0.1\r\n"
                + "Authorization: Bearer " + bearer + "\r\n"
                + "Accept: application/json\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + jsonBody.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(h, h.length + jsonBody.length);
        System.arraycopy(jsonBody, 0, out, h.length, jsonBody.length);
        return out;
    }

    int index() {
        return index;
    }

    long startNanos() {
        return startNanos;
    }

    long syncedNanos() {
        return syncedNanos;
    }

    /** Device change events in the initial list (before the tails). */
    int deviceEventsAtSync() {
        return deviceEventsAtSync;
    }

    int connectAttempts() {
        return connectAttempts;
    }

    /** Connects (up to 3 attempts, as an agent would retry), streams until closed. {@code opening} is released once open. */
    void run(Semaphore opening) {
        startNanos = System.nanoTime();
        boolean released = false;
        try {
            Socket s = connect();
            socket = s;
            if (closing) {
                return;
            }
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[READ_BUFFER];
            Head head = readHead(in, buf);
            opening.release();
            released = true;
            if (head.status != 200) {
                listener.failed(this, "HTTP " + head.status + ": " + head.rest);
                return;
            }
            if (!head.chunked) {
                listener.failed(this, "response is not chunked");
                return;
            }
            listener.opened(this);
            readChunked(in, buf, head.bodyStart, head.bodyEnd);
            if (!closing) {
                listener.failed(this, "stream ended");
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                listener.failed(this, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        } finally {
            if (!released) {
                opening.release();
            }
            close();
        }
    }

    private Socket connect() throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= 3 && !closing; attempt++) {
            connectAttempts = attempt;
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(server, connectTimeoutMs);
                return s;
            } catch (IOException e) {
                s.close();
                last = e;
                sleep(250L * attempt);
            }
        }
        throw last != null ? last : new IOException("closed while connecting");
    }

    private record Head(int status, boolean chunked, int bodyStart, int bodyEnd, String rest) {}

    /** Reads the status line and headers into {@code buf}; what follows them stays in buf[bodyStart, bodyEnd). */
    private static Head readHead(InputStream in, byte[] buf) throws IOException {
        int len = 0;
        while (true) {
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                throw new IOException("connection closed before the response headers");
            }
            len += n;
            int end = indexOf(buf, 0, len, new byte[] {'\r', '\n', '\r', '\n'});
            if (end >= 0) {
                String head = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
                int sp = head.indexOf(' ');
                int status = Integer.parseInt(head.substring(sp + 1, sp + 4));
                boolean chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
                String rest = status == 200 ? "" : new String(buf, end + 4, len - end - 4, StandardCharsets.UTF_8);
                return new Head(status, chunked, end + 4, len, rest);
            }
            if (len == buf.length || len > MAX_HEAD) {
                throw new IOException("response headers too long");
            }
        }
    }

    // ---- chunked transfer decoding and line splitting ----

    private byte[] line = new byte[2048];
    private int lineLen;

    private void readChunked(InputStream in, byte[] buf, int pos, int limit) throws IOException {
        final int size = 0, data = 1, crlf = 2;
        int state = size;
        long chunkLeft = 0;
        long sizeAcc = 0;
        boolean sizeDone = false;
        while (true) {
            while (pos < limit) {
                switch (state) {
                    case size -> {
                        byte b = buf[pos++];
                        if (b == '\n') {
                            if (sizeAcc == 0) {
                                return;
                            } // last chunk: end of stream
                            chunkLeft = sizeAcc;
                            sizeAcc = 0;
                            sizeDone = false;
                            state = data;
                        } else if (b == ';' || b == '\r' || b == ' ') {
                            sizeDone = true;
                        } else if (!sizeDone) {
                            int d = Character.digit(b, 16);
                            if (d < 0) {
                                throw new IOException("bad chunk size");
                            }
                            sizeAcc = sizeAcc * 16 + d;
                        }
                    }
                    case data -> {
                        int n = (int) Math.min(chunkLeft, limit - pos);
                        body(buf, pos, n);
                        pos += n;
                        chunkLeft -= n;
                        if (chunkLeft == 0) {
                            state = crlf;
                            chunkLeft = 2;
                        }
                    }
                    default -> { // the CRLF after a chunk's data
                        pos++;
                        if (--chunkLeft == 0) {
                            state = size;
                        }
                    }
                }
            }
            int n = in.read(buf);
            if (n < 0) {
                return;
            }
            pos = 0;
            limit = n;
        }
    }

    private void body(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int start = off;
        for (int nl; (nl = indexOfNewline(b, start, end)) >= 0; start = nl + 1) {
            if (lineLen == 0) {
                onLine(b, start, nl - start); // the whole line is in the read buffer: no copy
            } else {
                append(b, start, nl - start);
                onLine(line, 0, lineLen);
                lineLen = 0;
            }
        }
        append(b, start, end - start);
    }

    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;

    /** The next '\n' in b[from, to), a vector register (32 bytes with AVX2) per step. */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (int bound = from + BYTES.loopBound(to - from); i < bound; i += BYTES.length()) {
            VectorMask<Byte> nl = ByteVector.fromArray(BYTES, b, i).eq((byte) '\n');
            if (nl.anyTrue()) {
                return i + nl.firstTrue();
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void append(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        if (lineLen + len > line.length) {
            if (lineLen + len > MAX_LINE) {
                throw new IOException("event line longer than " + MAX_LINE);
            }
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + len));
        }
        System.arraycopy(b, off, line, lineLen, len);
        lineLen += len;
    }

    private void onLine(byte[] l, int off, int len) throws IOException {
        if (len == 0) {
            return;
        } // keep-alive
        int end = off + len;
        if (startsWith(l, off, len, DEVICE_CHANGE)) {
            if (!synced) {
                deviceEvents++;
                return;
            }
            int at = indexOf(l, off + DEVICE_CHANGE.length, end, MARKER);
            if (at < 0) {
                return;
            }
            int port = 0;
            for (int i = at + MARKER.length; i < end && l[i] >= '0' && l[i] <= '9'; i++) {
                port = port * 10 + (l[i] - '0');
            }
            long now = System.nanoTime();
            listener.marker(this, port - MARKER_PORT_BASE, now);
            return;
        }
        int head = off + Math.min(len, 64);
        if (indexOf(l, off, head, TYPE_TAIL) >= 0) {
            if (++tails == watches && !synced) {
                synced = true;
                deviceEventsAtSync = deviceEvents;
                syncedNanos = System.nanoTime();
                listener.synced(this);
            }
        } else if (indexOf(l, off, head, TYPE_ERROR) >= 0) {
            throw new IOException("error event: " + new String(l, off, Math.min(len, 300), StandardCharsets.UTF_8));
        }
    }

    private static boolean startsWith(byte[] b, int off, int len, byte[] prefix) {
        if (len < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[off + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Ends the stream (from any thread). */
    void close() {
        closing = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
