package io.nexodus.wireguard.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) on raw 32-byte keys, through the JDK's XDH provider. The JDK works on {@code BigInteger}
 * u-coordinates and scalars in key specs; this class converts to and from the little-endian byte strings that
 * WireGuard puts on the wire.
 */
public final class X25519 {
    private static final byte[] BASE_POINT = new byte[32];

    static {
        BASE_POINT[0] = 9;
    }

    private X25519() {}

    /** Clamps a private scalar in place: clear bits 0-2 and 255, set bit 254. */
    public static void clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] = (byte) ((k[31] & 127) | 64);
    }

    /** The public key {@code X25519(priv, 9)}. */
    public static byte[] publicKey(byte[] privateKey) {
        byte[] r = sharedSecret(privateKey, BASE_POINT);
        if (r == null) {
            throw new IllegalStateException("X25519 of the base point cannot be zero");
        }
        return r;
    }

    /**
     * {@code X25519(priv, pub)}, or null when the result would be all zero (the peer sent a small-order point), which
     * WireGuard treats as a failed handshake.
     */
    public static byte[] sharedSecret(byte[] privateKey, byte[] publicKey) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(toPrivate(privateKey));
            ka.doPhase(toPublic(publicKey), true);
            byte[] out = ka.generateSecret();
            return isZero(out) ? null : out;
        } catch (InvalidKeyException e) {
            return null; // "Point has small order" and friends
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks X25519", e);
        }
    }

    /** A reusable JDK private key object (the static key's DH with many peers). */
    static PrivateKey toPrivate(byte[] raw) throws GeneralSecurityException {
        return KeyFactory.getInstance("XDH")
                .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, raw.clone()));
    }

    static PublicKey toPublic(byte[] raw) throws GeneralSecurityException {
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = raw[31 - i];
        }
        be[0] &= 0x7f; // RFC 7748: mask the most significant bit of the u-coordinate
        BigInteger u = new BigInteger(1, be);
        return KeyFactory.getInstance("XDH").generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, u));
    }

    private static boolean isZero(byte[] b) {
        int acc = 0;
        for (byte x : b) {
            acc |= x;
        }
        return acc == 0;
    }
}
