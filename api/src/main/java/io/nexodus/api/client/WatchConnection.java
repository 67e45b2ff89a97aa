package io.nexodus.api.client;

import io.nexodus.api.model.WatchEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * One open watch stream: newline-delimited {@link WatchEvent}s. Blank lines (the service's keep-alives) are
 * skipped. A line longer than {@link #MAX_LINE} bytes is an error (never buffered without bound).
 * Not thread-safe for reading; {@link #close()} may be called from any thread to abort a blocked read.
 */
public final class WatchConnection implements AutoCloseable {
    public static final int MAX_LINE = 16 * 1024 * 1024;

    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private volatile long lastReadNanos = System.nanoTime();
    private volatile boolean closed;

    WatchConnection(InputStream in) {
        this.in = in;
    }

    /** The next event, or null at the end of the stream. Throws {@link UncheckedIOException} on a broken stream. */
    public WatchEvent next() {
        while (true) {
            byte[] line = readLine();
            if (line == null) {
                return null;
            }
            if (isBlank(line)) {
                continue;
            }
            try {
                return Json.mapper().readValue(line, WatchEvent.class);
            } catch (IOException e) {
                throw new UncheckedIOException("malformed watch event: " + e.getMessage(), e);
            }
        }
    }

    /** {@link System#nanoTime()} of the last bytes received (events or keep-alives): a stall detector reads it. */
    public long lastReadNanos() {
        return lastReadNanos;
    }

    public boolean isClosed() {
        return closed;
    }

    private byte[] readLine() {
        byte[] acc = null;
        int accLen = 0;
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    byte[] out = join(acc, accLen, buf, pos, i - pos);
                    pos = i + 1;
                    return out;
                }
            }
            int chunk = limit - pos;
            if (chunk > 0) {
                if (accLen + chunk > MAX_LINE) {
                    throw new UncheckedIOException(new IOException("watch event longer than " + MAX_LINE + " bytes"));
                }
                if (acc == null) {
                    acc = new byte[Math.max(chunk * 2, 1024)];
                }
                if (accLen + chunk > acc.length) {
                    acc = Arrays.copyOf(acc, Math.max(acc.length * 2, accLen + chunk));
                }
                System.arraycopy(buf, pos, acc, accLen, chunk);
                accLen += chunk;
            }
            pos = 0;
            limit = 0;
            int n;
            try {
                n = in.read(buf);
            } catch (IOException e) {
                throw new UncheckedIOException(closed ? new IOException("closed") : e);
            }
            if (n < 0) {
                return accLen > 0 ? Arrays.copyOf(acc, accLen) : null;
            }
            lastReadNanos = System.nanoTime();
            limit = n;
        }
    }

    private static byte[] join(byte[] acc, int accLen, byte[] b, int off, int len) {
        byte[] out = new byte[accLen + len];
        if (accLen > 0) {
            System.arraycopy(acc, 0, out, 0, accLen);
        }
        System.arraycopy(b, off, out, accLen, len);
        return out;
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        try {
            in.close();
        } catch (IOException ignored) {
            // closing an aborted stream
        }
    }

    @Override
    public String toString() {
        return "WatchConnection[closed=" + closed + "]";
    }
}
