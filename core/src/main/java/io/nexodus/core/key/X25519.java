package io.nexodus.core.key;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.random.RandomGenerator;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) on raw 32-byte little-endian strings, as WireGuard, NaCl and Tailscale put them on the wire, done
 * by the JDK's XDH provider (which works on {@code BigInteger} u-coordinates; this class converts).
 *
 * <p><b>The one rule for bad points.</b> When the shared secret would be all zero (the other side's u-coordinate has
 * small order: 0, 1, the points of order 4 and 8, or their non-canonical encodings), {@link #sharedSecret} throws
 * {@link InvalidKeyException}. It is checked because the point comes from the network: WireGuard fails that
 * handshake, DERP does not open that box, the sealed device token does not open. RFC 7748 §6.1 allows the check;
 * wireguard-go and Go's {@code crypto/ecdh} make it; Go's {@code nacl/box} (DERP's reference) does not, but refusing a
 * peer that sends such a point loses nothing, as no honest peer can.
 *
 * <p>This is the raw layer, for protocols' ephemeral keys (the Noise handshake, the sealed token). Keys that identify a
 * device are {@link NodePrivateKey} and {@link NodePublicKey}.
 */
public final class X25519 {
    /** The length of scalars, u-coordinates and shared secrets. */
    public static final int KEY_LENGTH = 32;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] BASE_POINT = new byte[KEY_LENGTH];

    static {
        BASE_POINT[0] = 9;
    }

    private X25519() {}

    /** Clamps a private scalar in place (RFC 7748 §5): clear bits 0-2 and 255, set bit 254. */
    public static void clamp(byte[] scalar) {
        checkLength(scalar, "a private key");
        scalar[0] &= (byte) 248;
        scalar[31] = (byte) ((scalar[31] & 127) | 64);
    }

    /** A new private key from the system's {@link SecureRandom}: 32 random bytes, clamped. */
    public static byte[] generatePrivate() {
        return generatePrivate(RANDOM);
    }

    /** A new private key from {@code random}: 32 bytes, clamped (use a {@link SecureRandom} outside tests). */
    public static byte[] generatePrivate(RandomGenerator random) {
        byte[] k = new byte[KEY_LENGTH];
        random.nextBytes(k);
        clamp(k);
        return k;
    }

    /** The public key {@code X25519(privateKey, 9)}. The scalar is clamped first, as RFC 7748 says. */
    public static byte[] publicKey(byte[] privateKey) {
        try {
            return sharedSecret(privateKey, BASE_POINT);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("X25519 with the base point cannot be zero", e);
        }
    }

    /**
     * {@code X25519(privateKey, publicKey)}: the scalar is clamped, the top bit of the u-coordinate ignored (RFC 7748
     * §5).
     *
     * @throws InvalidKeyException when the result would be all zero (see the class comment)
     * @throws IllegalArgumentException when an argument is not 32 bytes (a programming error)
     */
    public static byte[] sharedSecret(byte[] privateKey, byte[] publicKey) throws InvalidKeyException {
        checkLength(privateKey, "a private key");
        checkLength(publicKey, "a public key");
        byte[] out;
        try {
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(toPrivate(privateKey));
            ka.doPhase(toPublic(publicKey), true);
            out = ka.generateSecret();
        } catch (InvalidKeyException e) {
            // the JDK refuses small-order points itself ("Point has small order")
            throw new InvalidKeyException("X25519 with a small-order point", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks X25519", e);
        }
        if (isZero(out)) {
            throw new InvalidKeyException("X25519 with a small-order point");
        }
        return out;
    }

    /** Whether every byte of {@code b} is zero, in time independent of the contents. */
    static boolean isZero(byte[] b) {
        int acc = 0;
        for (byte x : b) {
            acc |= x;
        }
        return acc == 0;
    }

    static void checkLength(byte[] key, String what) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException(what + " is 32 bytes, got " + key.length);
        }
    }

    private static PrivateKey toPrivate(byte[] raw) throws GeneralSecurityException {
        return KeyFactory.getInstance("XDH")
                .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, raw.clone()));
    }

    private static PublicKey toPublic(byte[] raw) throws GeneralSecurityException {
        byte[] be = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH; i++) {
            be[i] = raw[KEY_LENGTH - 1 - i];
        }
        be[0] &= 0x7f; // RFC 7748 §5: the most significant bit of the u-coordinate is ignored
        BigInteger u = new BigInteger(1, be);
        return KeyFactory.getInstance("XDH").generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, u));
    }
}
