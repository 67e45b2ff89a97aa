package io.nexodus.wireguard.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03): subkey = HChaCha20(key, nonce[0:16]), then the JDK's
 * ChaCha20-Poly1305 with the subkey and nonce {@code 0x00000000 || nonce[16:24]}. WireGuard uses it only for cookie
 * replies.
 */
public final class XChaCha20Poly1305 {
    public static final int NONCE_LENGTH = 24;

    private XChaCha20Poly1305() {}

    public static byte[] seal(byte[] key, byte[] nonce24, byte[] plaintext, byte[] ad) {
        try {
            Cipher c = init(Cipher.ENCRYPT_MODE, key, nonce24, ad);
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("XChaCha20-Poly1305 failed", e);
        }
    }

    /** The plaintext, or null if the tag does not verify. */
    public static byte[] open(byte[] key, byte[] nonce24, byte[] ciphertext, byte[] ad) {
        if (ciphertext.length < ChaCha20Poly1305.TAG_LENGTH) {
            return null;
        }
        try {
            Cipher c = init(Cipher.DECRYPT_MODE, key, nonce24, ad);
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("XChaCha20-Poly1305 failed", e);
        }
    }

    private static Cipher init(int mode, byte[] key, byte[] nonce24, byte[] ad) throws GeneralSecurityException {
        if (nonce24.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("XChaCha20 nonce is 24 bytes");
        }
        byte[] subkey = HChaCha20.subkey(key, nonce24, 0);
        byte[] nonce = new byte[12];
        System.arraycopy(nonce24, 16, nonce, 4, 8);
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(mode, new SecretKeySpec(subkey, "ChaCha20"), new IvParameterSpec(nonce));
        if (ad != null && ad.length > 0) {
            c.updateAAD(ad);
        }
        return c;
    }
}
