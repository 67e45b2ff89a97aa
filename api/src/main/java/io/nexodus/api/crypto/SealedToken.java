package io.nexodus.api.crypto;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.key.X25519;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The sealed device token, format {@code v1}: the service encrypts the {@code DT:} token to the device's WireGuard
 * public key so only the device can read it.
 * <pre>
 *   e, E   = fresh X25519 key pair
 *   shared = X25519(e, devicePub)                (opened as X25519(devicePriv, E))
 *   key    = HKDF-SHA256(ikm = shared, salt = E || devicePub, info = "X25519", 32 bytes)
 *   ct     = AES-256-GCM(key, nonce = 12 zero bytes, plaintext)   (safe: the key is never reused)
 *   text   = base64url("v1") ":" base64url(E) ":" base64url(ct)   (padded URL-safe base64, as Go's URLEncoding)
 * </pre>
 * Upstream Nexodus' Go code computes {@code shared = X25519(E, devicePub)} instead (the ephemeral <em>public</em> key
 * as scalar), which anyone can compute from public values. We seal with the real ECDH above; {@link #open} also
 * accepts upstream's derivation so an agent built on this library can still open tokens from an upstream service.
 */
public final class SealedToken {
    public static final String V1 = "v1";
    private static final byte[] INFO = "X25519".getBytes(StandardCharsets.US_ASCII);

    private SealedToken() {}

    /** Seals {@code plaintext} to the device's public key. */
    public static String seal(NodePublicKey recipient, byte[] plaintext) {
        byte[] recipientPublic = recipient.toRaw();
        byte[] ephemeralPrivate = X25519.generatePrivate();
        byte[] ephemeralPublic = X25519.publicKey(ephemeralPrivate);
        byte[] shared;
        try {
            shared = X25519.sharedSecret(ephemeralPrivate, recipientPublic);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("cannot seal to a small-order public key", e);
        }
        byte[] ct = aesGcm(Cipher.ENCRYPT_MODE, key(shared, ephemeralPublic, recipientPublic), plaintext);
        Base64.Encoder b64 = Base64.getUrlEncoder();
        return b64.encodeToString(V1.getBytes(StandardCharsets.US_ASCII)) + ":" + b64.encodeToString(ephemeralPublic)
                + ":" + b64.encodeToString(ct);
    }

    /** Seals a text token (e.g. {@code DT:...}, UTF-8) to the device's public key. */
    public static String seal(NodePublicKey recipient, String token) {
        return seal(recipient, token.getBytes(StandardCharsets.UTF_8));
    }

    /** Opens a sealed token with the private key it was sealed to. */
    public static byte[] openBytes(String sealed, NodePrivateKey recipient) throws SealedTokenException {
        String[] parts = sealed.split(":", -1);
        if (parts.length != 3) {
            throw new SealedTokenException("a sealed token has 3 ':'-separated parts, got " + parts.length);
        }
        byte[] kind, epk, ct;
        try {
            Base64.Decoder d = Base64.getUrlDecoder();
            kind = d.decode(parts[0]);
            epk = d.decode(parts[1]);
            ct = d.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new SealedTokenException("sealed token is not base64url", e);
        }
        if (!V1.equals(new String(kind, StandardCharsets.US_ASCII))) {
            throw new SealedTokenException(
                    "unsupported sealed token version " + new String(kind, StandardCharsets.US_ASCII));
        }
        if (epk.length != X25519.KEY_LENGTH) {
            throw new SealedTokenException("invalid ephemeral key");
        }
        byte[] ownPublic = recipient.publicKey().toRaw();
        try {
            byte[] shared = X25519.sharedSecret(recipient.toRaw(), epk);
            return aesGcmOpen(key(shared, epk, ownPublic), ct);
        } catch (AEADBadTagException | InvalidKeyException e) {
            // Not sealed with real ECDH to us: try upstream's derivation (see class comment).
            try {
                byte[] shared = X25519.sharedSecret(epk, ownPublic);
                return aesGcmOpen(key(shared, epk, ownPublic), ct);
            } catch (AEADBadTagException | InvalidKeyException e2) {
                throw new SealedTokenException("sealed token was not sealed to this key (or is corrupted)");
            }
        }
    }

    /** Opens a sealed text token (UTF-8) with the private key it was sealed to. */
    public static String open(String sealed, NodePrivateKey recipient) throws SealedTokenException {
        return new String(openBytes(sealed, recipient), StandardCharsets.UTF_8);
    }

    static byte[] key(byte[] shared, byte[] ephemeralPublic, byte[] recipientPublic) {
        byte[] salt = new byte[ephemeralPublic.length + recipientPublic.length];
        System.arraycopy(ephemeralPublic, 0, salt, 0, ephemeralPublic.length);
        System.arraycopy(recipientPublic, 0, salt, ephemeralPublic.length, recipientPublic.length);
        try {
            KDF hkdf = KDF.getInstance("HKDF-SHA256");
            return hkdf.deriveData(
                    HKDFParameterSpec.ofExtract().addIKM(shared).addSalt(salt).thenExpand(INFO, 32));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 unavailable", e);
        }
    }

    private static byte[] aesGcm(int mode, byte[] key, byte[] in) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, new byte[12]));
            return c.doFinal(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    private static byte[] aesGcmOpen(byte[] key, byte[] ct) throws AEADBadTagException {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, new byte[12]));
            return c.doFinal(ct);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new AEADBadTagException("cannot decrypt: " + e.getMessage());
        }
    }
}
