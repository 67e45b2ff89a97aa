package io.nexodus.wireguard.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce: 4 zero bytes followed by the 64-bit counter, little-endian.
 * These one-shot helpers make a fresh {@link Cipher} per call; they serve the handshake, where that cost is noise.
 * The data path uses {@link TransportCipher}, which reuses one Cipher per thread.
 */
public final class ChaCha20Poly1305 {
    public static final int TAG_LENGTH = 16;

    private ChaCha20Poly1305() {}

    public static byte[] seal(byte[] key, long counter, byte[] plaintext, byte[] ad) {
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce(counter)));
            if (ad != null && ad.length > 0) {
                c.updateAAD(ad);
            }
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
    }

    /** The plaintext, or null if the tag does not verify. */
    public static byte[] open(byte[] key, long counter, byte[] ciphertext, byte[] ad) {
        if (ciphertext.length < TAG_LENGTH) {
            return null;
        }
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce(counter)));
            if (ad != null && ad.length > 0) {
                c.updateAAD(ad);
            }
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
    }

    static byte[] nonce(long counter) {
        byte[] n = new byte[12];
        for (int i = 0; i < 8; i++) {
            n[4 + i] = (byte) (counter >>> (8 * i));
        }
        return n;
    }
}
