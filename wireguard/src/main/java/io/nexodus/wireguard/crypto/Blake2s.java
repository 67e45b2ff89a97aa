package io.nexodus.wireguard.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * BLAKE2s (RFC 7693) as WireGuard uses it: {@code HASH} is unkeyed BLAKE2s-256, {@code MAC} is keyed BLAKE2s with a
 * 16-byte digest. The MAC is not a truncated BLAKE2s-256: the digest length is part of the parameter block, so it
 * changes the initial state. BouncyCastle's {@link Blake2sDigest} does the compression.
 */
public final class Blake2s {
    public static final int HASH_LENGTH = 32;
    public static final int MAC_LENGTH = 16;

    private Blake2s() {}

    /** BLAKE2s-256 of the concatenation of {@code parts}. */
    public static byte[] hash(byte[]... parts) {
        Blake2sDigest d = new Blake2sDigest(256);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_LENGTH];
        d.doFinal(out, 0);
        return out;
    }

    /** Keyed BLAKE2s with a 16-byte output over {@code data[off, off+len)}. */
    public static byte[] mac(byte[] key, byte[] data, int off, int len) {
        Blake2sDigest d = new Blake2sDigest(key, MAC_LENGTH, null, null);
        d.update(data, off, len);
        byte[] out = new byte[MAC_LENGTH];
        d.doFinal(out, 0);
        return out;
    }

    /** Keyed BLAKE2s with any digest length (1..32) and key (0..32 bytes), for the known-answer tests. */
    public static byte[] keyed(byte[] key, int digestLength, byte[] data) {
        Blake2sDigest d = new Blake2sDigest(key.length == 0 ? null : key, digestLength, null, null);
        d.update(data, 0, data.length);
        byte[] out = new byte[digestLength];
        d.doFinal(out, 0);
        return out;
    }
}
