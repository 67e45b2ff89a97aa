package io.nexodus.derp.crypto;

import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The pre-shared key that lets DERP servers of one region mesh (WatchConns, ForwardPacket, ClosePeer): 32 bytes,
 * written as 64 hex digits. Compared in constant time (TS-2025-003 was a timing leak of exactly this comparison).
 */
public final class MeshKey {
    public static final int LENGTH = 32;
    private final byte[] raw;

    private MeshKey(byte[] raw) {
        this.raw = raw;
    }

    /** Parses 64 hex digits (surrounding whitespace, as in a key file, is trimmed). */
    public static MeshKey parse(String hex) {
        String t = hex.strip();
        if (t.length() != 2 * LENGTH || !t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("a mesh key is 64 hex digits (32 bytes)");
        }
        return new MeshKey(HexFormat.of().parseHex(t));
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
        return HexFormat.of().formatHex(raw);
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
