package io.nexodus.wireguard.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * HMAC (RFC 2104) over BLAKE2s-256 with a 64-byte block. The JDK has no "HmacBLAKE2s", so it is written out here;
 * WireGuard's KDF is HKDF built on it.
 */
public final class HmacBlake2s {
    private static final int BLOCK = 64;

    private HmacBlake2s() {}

    /** HMAC-BLAKE2s(key, concatenation of parts). */
    public static byte[] mac(byte[] key, byte[]... parts) {
        byte[] k = key.length > BLOCK ? Blake2s.hash(key) : key;
        byte[] ipad = new byte[BLOCK];
        byte[] opad = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (b ^ 0x36);
            opad[i] = (byte) (b ^ 0x5c);
        }
        Blake2sDigest inner = new Blake2sDigest(256);
        inner.update(ipad, 0, BLOCK);
        for (byte[] p : parts) {
            inner.update(p, 0, p.length);
        }
        byte[] innerHash = new byte[32];
        inner.doFinal(innerHash, 0);
        Blake2sDigest outer = new Blake2sDigest(256);
        outer.update(opad, 0, BLOCK);
        outer.update(innerHash, 0, 32);
        byte[] out = new byte[32];
        outer.doFinal(out, 0);
        return out;
    }
}
