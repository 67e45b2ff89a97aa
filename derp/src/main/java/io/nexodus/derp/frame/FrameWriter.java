package io.nexodus.derp.frame;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes frames through a buffer borrowed from a {@link BufferPool} on the first write and returned on
 * {@link #flush()}, so an idle connection holds no write buffer. Several frames written between flushes leave in one
 * write (one TLS record). Frames larger than the buffer are written directly. Not thread-safe: one writer at a time.
 */
public final class FrameWriter {
    private final OutputStream out;
    private final BufferPool pool;
    private byte[] buf;
    private int len;

    public FrameWriter(OutputStream out, BufferPool pool) {
        this.out = out;
        this.pool = pool;
    }

    /** Buffers {@code f}; may write earlier buffered frames to make room. */
    public void write(Frame f) throws IOException {
        int n = FrameCodec.HEADER_LENGTH + FrameCodec.payloadLength(f);
        if (n > pool.bufferSize()) {
            writeBuffered();
            out.write(FrameCodec.encode(f));
            return;
        }
        if (buf == null) {
            buf = pool.take();
            len = 0;
        } else if (len + n > buf.length) {
            writeBuffered();
        }
        len += FrameCodec.encodeInto(f, buf, len);
    }

    /** Writes raw bytes (the HTTP preamble) ahead of the frames buffered after them. */
    public void writeRaw(byte[] bytes) throws IOException {
        if (buf == null) {
            buf = pool.take();
            len = 0;
        }
        if (len + bytes.length > buf.length) {
            writeBuffered();
            out.write(bytes);
            return;
        }
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    /** Bytes waiting in the buffer. */
    public int pending() {
        return len;
    }

    /** Writes what is buffered, flushes the stream and returns the buffer to the pool. */
    public void flush() throws IOException {
        try {
            writeBuffered();
            out.flush();
        } finally {
            release();
        }
    }

    /** Returns the buffer to the pool without writing it (after a failed write). */
    public void release() {
        if (buf != null) {
            byte[] b = buf;
            buf = null;
            len = 0;
            pool.give(b);
        }
    }

    private void writeBuffered() throws IOException {
        if (buf != null && len > 0) {
            int n = len;
            len = 0;
            out.write(buf, 0, n);
        }
    }
}
