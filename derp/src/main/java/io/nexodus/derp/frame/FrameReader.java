package io.nexodus.derp.frame;

import io.nexodus.core.key.NodePublicKey;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * Reads DERP frames (and, before them, the HTTP upgrade preamble) from one stream through one small buffer, so bytes
 * of the first frame that arrive with the HTTP headers are never lost. The buffer is small on purpose (an idle
 * connection keeps it): packet payloads larger than what is buffered are read straight into their own array.
 * Not thread-safe: one reader thread per connection.
 */
public final class FrameReader {
    /** The default buffer: like Tailscale's 1 KiB frame reader, enough for headers and small frames. */
    public static final int DEFAULT_BUFFER = 1024;

    private final InputStream in;
    private final byte[] small;
    private final BufferPool bigBuffers;
    private byte[] buf;
    private int pos;
    private int lim;

    /**
     * @param bufferSize the buffer kept while idle
     * @param bigBuffers when not null, a larger buffer is borrowed from it while data keeps arriving (fewer reads
     *                   per packet under load) and given back before a read that would block, so idle connections
     *                   still hold only {@code bufferSize} bytes; needs a stream whose {@code available()} is honest
     */
    public FrameReader(InputStream in, int bufferSize, BufferPool bigBuffers) {
        this.in = in;
        this.small = new byte[bufferSize];
        this.buf = small;
        this.bigBuffers = bigBuffers;
    }

    public FrameReader(InputStream in, int bufferSize) {
        this(in, bufferSize, null);
    }

    public FrameReader(InputStream in) {
        this(in, DEFAULT_BUFFER);
    }

    /** The underlying stream (for closing). */
    public InputStream stream() {
        return in;
    }

    /** Bytes already buffered and not yet consumed. */
    public int buffered() {
        return lim - pos;
    }

    /**
     * Reads one line ended by CRLF and returns it without the CRLF, as ISO-8859-1 text (HTTP header bytes). A bare LF,
     * a NUL, or more than {@code maxLength} bytes is a {@link ProtocolException}; EOF before the line ends is an
     * {@link EOFException}.
     */
    public String readLine(int maxLength) throws IOException {
        StringBuilder line = new StringBuilder(64);
        boolean sawCr = false;
        while (true) {
            if (pos == lim && !fill()) {
                throw new EOFException("connection closed in the middle of an HTTP line");
            }
            byte b = buf[pos++];
            if (sawCr) {
                if (b != '\n') {
                    throw new ProtocolException("CR not followed by LF in an HTTP line");
                }
                return line.toString();
            }
            if (b == '\r') {
                sawCr = true;
                continue;
            }
            if (b == '\n') {
                throw new ProtocolException("HTTP line ended by a bare LF (CRLF required)");
            }
            if (b == 0) {
                throw new ProtocolException("NUL byte in an HTTP line");
            }
            if (line.length() >= maxLength) {
                throw new ProtocolException("HTTP line longer than " + maxLength + " bytes");
            }
            line.append((char) (b & 0xff));
        }
    }

    /** Reads up to {@code max} bytes of whatever arrives before EOF (for error bodies); never more than {@code max}. */
    public String readUpTo(int max) throws IOException {
        byte[] out = new byte[max];
        int n = 0;
        while (n < max) {
            if (pos == lim && !fill()) {
                break;
            }
            int c = Math.min(lim - pos, max - n);
            System.arraycopy(buf, pos, out, n, c);
            pos += c;
            n += c;
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * Reads the next frame. The length is checked against {@code limits} before anything is allocated: an oversized
     * frame is {@link FrameFormatException.Kind#OVERSIZED} and leaves the stream unusable. A malformed frame is
     * consumed whole before its error is thrown. Unknown types are skipped and returned as {@link Frame.Unknown}.
     * EOF at a frame boundary or inside a frame is an {@link EOFException}.
     */
    public Frame readFrame(FrameLimits limits) throws IOException, FrameFormatException {
        int type = readByte();
        long len = readInt() & 0xffffffffL;
        if (len > limits.maxPayload(type)) {
            throw new FrameFormatException(
                    FrameFormatException.Kind.OVERSIZED,
                    type,
                    len,
                    "frame type 0x" + Integer.toHexString(type) + " of " + len + " bytes exceeds the limit of "
                            + limits.maxPayload(type));
        }
        int n = (int) len;
        FrameType t = FrameType.of(type);
        if (t == null) {
            skip(n);
            return new Frame.Unknown(type, n);
        }
        return switch (t) {
            case SEND_PACKET, RECV_PACKET -> {
                if (n < NodePublicKey.LENGTH) {
                    skip(n);
                    throw tooShort(type, n);
                }
                NodePublicKey key = readKey();
                byte[] packet = readBytes(n - NodePublicKey.LENGTH);
                yield t == FrameType.SEND_PACKET
                        ? new Frame.SendPacket(key, packet)
                        : new Frame.RecvPacket(key, packet);
            }
            case FORWARD_PACKET -> {
                if (n < 2 * NodePublicKey.LENGTH) {
                    skip(n);
                    throw tooShort(type, n);
                }
                NodePublicKey src = readKey();
                NodePublicKey dst = readKey();
                yield new Frame.ForwardPacket(src, dst, readBytes(n - 2 * NodePublicKey.LENGTH));
            }
            default -> FrameCodec.decode(type, readBytes(n));
        };
    }

    private static FrameFormatException tooShort(int type, int n) {
        return new FrameFormatException(
                FrameFormatException.Kind.MALFORMED,
                type,
                n,
                "packet frame type 0x" + Integer.toHexString(type) + " too short: " + n + " bytes");
    }

    private NodePublicKey readKey() throws IOException {
        if (lim - pos >= NodePublicKey.LENGTH) {
            NodePublicKey k = NodePublicKey.fromRaw(buf, pos);
            pos += NodePublicKey.LENGTH;
            return k;
        }
        return NodePublicKey.fromRaw(readBytes(NodePublicKey.LENGTH));
    }

    private int readByte() throws IOException {
        if (pos == lim && !fill()) {
            throw new EOFException("connection closed");
        }
        return buf[pos++] & 0xff;
    }

    private int readInt() throws IOException {
        if (lim - pos >= 4) {
            int v = FrameCodec.getInt(buf, pos);
            pos += 4;
            return v;
        }
        return (readByte() << 24) | (readByte() << 16) | (readByte() << 8) | readByte();
    }

    /** Reads exactly {@code n} bytes into a new array: buffered bytes first, the rest straight from the stream. */
    public byte[] readBytes(int n) throws IOException {
        byte[] out = new byte[n];
        int have = Math.min(lim - pos, n);
        System.arraycopy(buf, pos, out, 0, have);
        pos += have;
        int off = have;
        if (off < n && n - off < buf.length) {
            // Small remainder: refill the buffer so the next header comes with it.
            while (off < n) {
                if (!fill()) {
                    throw new EOFException("connection closed inside a frame");
                }
                int c = Math.min(lim - pos, n - off);
                System.arraycopy(buf, pos, out, off, c);
                pos += c;
                off += c;
            }
            return out;
        }
        while (off < n) {
            int r = in.read(out, off, n - off);
            if (r < 0) {
                throw new EOFException("connection closed inside a frame");
            }
            off += r;
        }
        return out;
    }

    private void skip(int n) throws IOException {
        int have = Math.min(lim - pos, n);
        pos += have;
        int left = n - have;
        while (left > 0) {
            if (!fill()) {
                throw new EOFException("connection closed inside a frame");
            }
            int c = Math.min(lim - pos, left);
            pos += c;
            left -= c;
        }
    }

    /** Refills an empty buffer; false on EOF. */
    @SuppressWarnings("ReferenceEquality") // which of the two buffers is in use: identity is the question
    private boolean fill() throws IOException {
        if (bigBuffers != null) {
            if (buf != small) {
                if (in.available() == 0) { // the next read may block: do not hold the big buffer while idle
                    byte[] big = buf;
                    buf = small;
                    bigBuffers.give(big);
                }
            } else if (lim == small.length && in.available() > 0) { // the last read filled us: data is streaming
                buf = bigBuffers.take();
            }
        }
        int r = in.read(buf, 0, buf.length);
        if (r < 0) {
            return false;
        }
        pos = 0;
        lim = r;
        return r > 0 || fill();
    }

    /** Gives a borrowed big buffer back (when the connection ends). */
    @SuppressWarnings("ReferenceEquality") // which of the two buffers is in use: identity is the question
    public void release() {
        if (buf != small) {
            byte[] big = buf;
            buf = small;
            pos = 0;
            lim = 0;
            bigBuffers.give(big);
        }
    }
}
