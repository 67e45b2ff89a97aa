package io.nexodus.derp.crypto;

import io.nexodus.core.key.KeyEncoding;
import java.security.MessageDigest;

/**
 * The pre-shared key that lets DERP servers of one region mesh (WatchConns, ForwardPacket, ClosePeer): 32 bytes,
 * written as 64 hex digits. Compared in constant time (TS-2025-003 was a timing leak of exactly this comparison).
 */
public final class MeshKey {
    public static final int LENGTH = KeyEncoding.LENGTH;
    private final byte[] raw;

    private MeshKey(byte[] raw) {
        this.raw = raw;
    }

    /** Parses 64 hex digits (surrounding whitespace, as in a key file, is trimmed). */
    public static MeshKey parse(String hex) {
        return new MeshKey(KeyEncoding.fromHex(hex.strip(), "a mesh key"));
    }

    public static MeshKey fromRaw(byte[] raw) {
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException("a mesh key is 32 bytes");
        }
        return new MeshKey(raw.clone());
    }

    /** Constant-time comparison. */
    public boolean matches(MeshKey other) {
        return other != null && MessageDigest.isEqual(raw, other.raw);
    }

    /** Lowercase hex, as sent in ClientInfo's {@code meshKey}. */
    public String toHex() {
        return KeyEncoding.toHex(raw);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MeshKey other && matches(other);
    }

    @Override
    public int hashCode() {
        return 0x4d455348; // constant: never leak key bits through hashing
    }

    @Override
    public String toString() {
        return "MeshKey[redacted]";
    }
}
