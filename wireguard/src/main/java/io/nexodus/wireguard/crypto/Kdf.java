package io.nexodus.wireguard.crypto;

/**
 * WireGuard's KDF_n: HKDF (RFC 5869) with HMAC-BLAKE2s, where the chaining key is the HMAC key.
 * {@code prk = HMAC(key, input); T1 = HMAC(prk, 0x01); T2 = HMAC(prk, T1 || 0x02); T3 = HMAC(prk, T2 || 0x03)}.
 */
public final class Kdf {
    private static final byte[] ONE = {1};
    private static final byte[] TWO = {2};
    private static final byte[] THREE = {3};

    private Kdf() {}

    public static byte[] kdf1(byte[] key, byte[] input) {
        byte[] prk = HmacBlake2s.mac(key, input);
        return HmacBlake2s.mac(prk, ONE);
    }

    public static byte[][] kdf2(byte[] key, byte[] input) {
        byte[] prk = HmacBlake2s.mac(key, input);
        byte[] t1 = HmacBlake2s.mac(prk, ONE);
        byte[] t2 = HmacBlake2s.mac(prk, t1, TWO);
        return new byte[][] {t1, t2};
    }

    public static byte[][] kdf3(byte[] key, byte[] input) {
        byte[] prk = HmacBlake2s.mac(key, input);
        byte[] t1 = HmacBlake2s.mac(prk, ONE);
        byte[] t2 = HmacBlake2s.mac(prk, t1, TWO);
        byte[] t3 = HmacBlake2s.mac(prk, t2, THREE);
        return new byte[][] {t1, t2, t3};
    }
}
