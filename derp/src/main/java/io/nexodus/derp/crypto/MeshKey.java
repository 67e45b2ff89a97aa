package io.nexodus.derp.crypto;

import io.nexodus.core.key.KeyEncoding;
import io.nexodus.core.key.SecretKeyBytes;

/**
 * The pre-shared key that lets DERP servers of one region mesh (WatchConns, ForwardPacket, ClosePeer): 32 bytes,
 * written as 64 hex digits. Compared in constant time (TS-2025-003 was a timing leak of exactly this comparison).
 */
public final class MeshKey extends SecretKeyBytes {
    public static final int LENGTH = KeyEncoding.LENGTH;

    private MeshKey(byte[] raw) {
        super(raw);
    }

    /** Parses 64 hex digits (surrounding whitespace, as in a key file, is trimmed). */
    public static MeshKey parse(String hex) {
        return new MeshKey(KeyEncoding.fromHex(hex.strip(), "a mesh key"));
    }

    /** The key from exactly 32 raw bytes (copied). */
    public static MeshKey fromRaw(byte[] raw) {
        return new MeshKey(raw.clone());
    }

    /** Constant-time comparison; false for null. */
    public boolean matches(MeshKey other) {
        return equals(other);
    }

    @Override
    public String toString() {
        return "MeshKey[redacted]";
    }
}
