package io.nexodus.stun;

import java.nio.ByteBuffer;

/**
 * STUN wire format (RFC 8489, RFC 5389, and classic RFC 3489 messages): decode a datagram into a
 * {@link StunParseResult}, encode a {@link StunMessage}, and the demultiplexing test for sockets shared with other
 * protocols. Stateless and thread-safe.
 */
public final class StunCodec {
    private StunCodec() {}

    /** Magic cookie, bytes 4..8 of every RFC 5389/8489 message. */
    public static final int MAGIC_COOKIE = 0x2112A442;

    public static final int HEADER_LENGTH = 20;
    /** FINGERPRINT = CRC-32 (ISO-HDLC, as java.util.zip.CRC32) of the message before it, XOR this ("STUN"). */
    public static final int FINGERPRINT_XOR = 0x5354554e;
    /** Large enough for any STUN message we accept over UDP; longer datagrams are truncated and so rejected. */
    public static final int MAX_DATAGRAM = 2048;

    /**
     * Decodes the bytes between {@code datagram}'s position and limit (without moving them). Never throws for any
     * content: malformed input is an {@link StunParseResult.Invalid}.
     */
    public static StunParseResult decode(ByteBuffer datagram) {
        return StunDecoder.decode(datagram);
    }

    public static StunParseResult decode(byte[] data, int offset, int length) {
        return StunDecoder.decode(ByteBuffer.wrap(data, offset, length));
    }

    public static StunParseResult decode(byte[] data) {
        return decode(data, 0, data.length);
    }

    /**
     * True if the datagram between position and limit is an RFC 5389/8489 STUN message by its header: the top two
     * bits are zero, bytes 4..8 are the magic cookie, and the length field (a multiple of 4) plus the 20-byte header
     * is exactly the datagram length. This is the test a socket shared with WireGuard uses to route datagrams to the
     * STUN client. WireGuard messages never pass it: their bytes 2..3 are zero (reserved), which would declare an
     * empty STUN message, while every WireGuard message is longer than 20 bytes.
     */
    public static boolean looksLikeStun(ByteBuffer datagram) {
        return StunDecoder.looksLikeModernStun(datagram);
    }

    /** Encoded size of {@code message} in bytes. */
    public static int encodedLength(StunMessage message) {
        return StunEncoder.encodedLength(message);
    }

    /**
     * Writes {@code message} at {@code out}'s position and advances it; returns the byte count.
     *
     * @throws IllegalArgumentException if {@code out} is too small or a value cannot be encoded (a caller bug)
     */
    public static int encode(StunMessage message, ByteBuffer out) {
        return StunEncoder.encode(message, out);
    }

    /** The encoded message in a new buffer, ready to read (position 0, limit = length). */
    public static ByteBuffer encode(StunMessage message) {
        ByteBuffer out = ByteBuffer.allocate(StunEncoder.encodedLength(message));
        StunEncoder.encode(message, out);
        return out.flip();
    }
}
