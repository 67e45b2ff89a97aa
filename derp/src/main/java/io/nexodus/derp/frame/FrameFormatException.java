package io.nexodus.derp.frame;

/**
 * A frame that breaks the protocol: longer than allowed for its type ({@link Kind#OVERSIZED}; its payload was not
 * read, so the stream is unusable) or malformed ({@link Kind#MALFORMED}; its payload was consumed, so a lenient reader
 * may continue). Checked, and cheap: no stack trace, since hostile input can produce many.
 */
public final class FrameFormatException extends Exception {
    public enum Kind {
        OVERSIZED,
        MALFORMED
    }

    private final Kind kind;
    private final int typeCode;
    private final long length;

    public FrameFormatException(Kind kind, int typeCode, long length, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.typeCode = typeCode;
        this.length = length;
    }

    public Kind kind() {
        return kind;
    }

    public int typeCode() {
        return typeCode;
    }

    public long length() {
        return length;
    }

    /** Whether the frame's payload was consumed, so the stream is still in sync. */
    public boolean streamInSync() {
        return kind == Kind.MALFORMED;
    }
}
