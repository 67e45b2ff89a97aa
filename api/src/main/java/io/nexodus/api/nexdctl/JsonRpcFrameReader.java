package io.nexodus.api.nexdctl;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into JSON-RPC frames: top-level JSON objects, optionally separated by whitespace (Go's
 * {@code json.Encoder} writes a newline after each; Go's decoder needs none). It tracks only nesting, strings and
 * escapes, so it never parses a frame twice; {@link JsonRpcCodec#decode} does the parsing. A frame larger than the
 * limit is not buffered: the reader reports {@link Frame.Oversized} and the connection should be closed. I/O errors
 * of the stream are the only exceptions.
 */
public final class JsonRpcFrameReader {
    private final InputStream in;
    private final int maxFrameBytes;
    private final byte[] readBuffer = new byte[8192];
    private int readPos;
    private int readLimit;
    private byte[] frame = new byte[512];

    public JsonRpcFrameReader(InputStream in, int maxFrameBytes) {
        if (maxFrameBytes < 2) {
            throw new IllegalArgumentException("maxFrameBytes must be at least 2");
        }
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** One frame, or why there is none. After anything but {@link Frame.Json} the stream is unusable. */
    public Frame next() throws IOException {
        int b;
        do {
            b = read();
            if (b < 0) {
                return Frame.EndOfStream.INSTANCE;
            }
        } while (b == ' ' || b == '\n' || b == '\r' || b == '\t');
        if (b != '{') {
            return new Frame.Garbage("expected '{' at the start of a JSON-RPC message, got " + describe(b));
        }
        int len = 0;
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        while (true) {
            if (len == maxFrameBytes) {
                return new Frame.Oversized(maxFrameBytes);
            }
            if (len == frame.length) {
                frame = Arrays.copyOf(frame, Math.min(maxFrameBytes, frame.length * 2));
            }
            frame[len++] = (byte) b;
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                depth--;
                if (depth == 0) {
                    return new Frame.Json(Arrays.copyOf(frame, len));
                }
            }
            b = read();
            if (b < 0) {
                return Frame.Truncated.INSTANCE;
            }
        }
    }

    private int read() throws IOException {
        if (readPos == readLimit) {
            int n = in.read(readBuffer);
            if (n <= 0) {
                return -1;
            }
            readPos = 0;
            readLimit = n;
        }
        return readBuffer[readPos++] & 0xff;
    }

    private static String describe(int b) {
        return b >= 0x20 && b < 0x7f ? "'" + (char) b + "'" : String.format("byte 0x%02x", b);
    }

    /** The outcome of {@link #next()}. */
    public sealed interface Frame {
        /** One complete top-level JSON object (not yet validated as JSON-RPC). */
        @SuppressWarnings("ArrayRecordComponent") // handed to the decoder once, never compared or kept
        record Json(byte[] bytes) implements Frame {}

        /** The stream ended cleanly between frames. */
        enum EndOfStream implements Frame {
            INSTANCE
        }

        /** The stream ended inside a frame. */
        enum Truncated implements Frame {
            INSTANCE
        }

        /** A frame exceeded the size limit. */
        record Oversized(int limit) implements Frame {}

        /** Something other than a JSON object where a frame should start. */
        record Garbage(String reason) implements Frame {}
    }
}
