package io.nexodus.server.watch;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The event lines of one turn of a watch stream, written as one HTTP chunk (one socket write) instead of one per line.
 * The lines are the feeds' shared byte arrays; only references are kept until {@link #writeTo}, which copies them
 * into one array of exactly their size (a single line is written as it is). A turn is capped at {@link #MAX_BYTES}
 * and {@link #MAX_LINES} so a stream never holds more than that beyond the shared feed.
 */
final class LineBatch {
    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_LINES = 1000;

    private final List<byte[]> lines = new ArrayList<>();
    private int bytes;

    void add(byte[] line) {
        lines.add(line);
        bytes += line.length;
    }

    boolean isFull() {
        return bytes >= MAX_BYTES || lines.size() >= MAX_LINES;
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    /** Writes the lines as one write and forgets them. */
    void writeTo(OutputStream out) throws IOException {
        if (lines.size() == 1) {
            out.write(lines.getFirst());
        } else if (!lines.isEmpty()) {
            byte[] all = new byte[bytes];
            int at = 0;
            for (byte[] l : lines) {
                System.arraycopy(l, 0, all, at, l.length);
                at += l.length;
            }
            out.write(all);
        }
        lines.clear();
        bytes = 0;
    }
}
