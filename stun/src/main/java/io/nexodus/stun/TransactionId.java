package io.nexodus.stun;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * A STUN transaction id: 96 bits (12 bytes) after the magic cookie in RFC 5389/8489 messages, or 128 bits (16 bytes)
 * in a classic RFC 3489 message, which has no magic cookie. A response echoes the request's id exactly, and that is
 * how a client matches them.
 */
@SuppressWarnings("ArrayRecordComponent") // copied in and out; equals and hashCode compare the bytes
public record TransactionId(byte[] bytes) {
    public static final int LENGTH = 12;
    public static final int CLASSIC_LENGTH = 16;

    public TransactionId {
        if (bytes == null || (bytes.length != LENGTH && bytes.length != CLASSIC_LENGTH)) {
            throw new IllegalArgumentException("a transaction id has 12 (or, classic RFC 3489, 16) bytes");
        }
        bytes = bytes.clone();
    }

    /** A fresh 96-bit id; {@code random} should be a cryptographically strong generator (RFC 8489 §6). */
    public static TransactionId random(RandomGenerator random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        return new TransactionId(b);
    }

    /** True for a 128-bit RFC 3489 id (a message without magic cookie). */
    public boolean isClassic() {
        return bytes.length == CLASSIC_LENGTH;
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    byte byteAt(int i) {
        return bytes[i];
    }

    int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransactionId t && Arrays.equals(bytes, t.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
