package io.nexodus.api.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Base64;
import javax.crypto.KeyAgreement;

/**
 * WireGuard (Curve25519) keys as raw 32-byte arrays and their standard base64 text form, bridged to the JDK's XDH
 * implementation. WireGuard keys are little-endian; the JDK's public "u" is a BigInteger.
 */
public final class WireGuardKeys {
    public static final int KEY_SIZE = 32;
    private static final byte[] BASEPOINT = new byte[KEY_SIZE];
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        BASEPOINT[0] = 9;
    }

    private WireGuardKeys() {}

    /**
     * A new random private key, clamped as WireGuard does: 32 random bytes (RFC 7748 §5). Not through the JDK's
     * KeyPairGenerator, which also computes the public key (a scalar multiplication, the expensive part) that
     * callers then compute again or never need: sealing a device token (every registration) paid for it.
     */
    public static byte[] generatePrivateKey() {
        byte[] raw = new byte[KEY_SIZE];
        RANDOM.nextBytes(raw);
        clamp(raw);
        return raw;
    }

    /** The public key of a raw private key: X25519(private, 9). */
    public static byte[] publicKey(byte[] privateKey) {
        return x25519(privateKey, BASEPOINT);
    }

    /** X25519(scalar, u) with raw little-endian inputs; throws if the result is all zeros (a low-order point). */
    public static byte[] x25519(byte[] scalar, byte[] u) {
        check(scalar);
        check(u);
        try {
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(toPrivate(scalar));
            ka.doPhase(toPublic(u), true);
            return ka.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("X25519 failed: " + e.getMessage(), e);
        }
    }

    public static PrivateKey toPrivate(byte[] raw) throws GeneralSecurityException {
        return KeyFactory.getInstance("X25519")
                .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, raw.clone()));
    }

    public static PublicKey toPublic(byte[] raw) throws GeneralSecurityException {
        byte[] be = new byte[KEY_SIZE];
        for (int i = 0; i < KEY_SIZE; i++) {
            be[i] = raw[KEY_SIZE - 1 - i];
        }
        be[0] &= 0x7f; // RFC 7748 §5: the most significant bit of u is ignored
        return KeyFactory.getInstance("X25519")
                .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
    }

    public static byte[] raw(XECPublicKey k) {
        byte[] be = k.getU().toByteArray();
        byte[] le = new byte[KEY_SIZE];
        for (int i = 0; i < KEY_SIZE && i < be.length; i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }

    /** Standard base64 (as {@code wg} prints keys). */
    public static String toBase64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    /** Parses a base64 key; throws IllegalArgumentException unless it is exactly 32 bytes. */
    public static byte[] fromBase64(String text) {
        byte[] k;
        try {
            k = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a base64 WireGuard key");
        }
        if (k.length != KEY_SIZE) {
            throw new IllegalArgumentException("a WireGuard key is 32 bytes, got " + k.length);
        }
        return k;
    }

    /** True if {@code text} is a base64 32-byte key. */
    public static boolean isValid(String text) {
        try {
            fromBase64(text);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static void clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
    }

    private static void check(byte[] k) {
        if (k == null || k.length != KEY_SIZE) {
            throw new IllegalArgumentException("X25519 keys are 32 bytes");
        }
    }
}
