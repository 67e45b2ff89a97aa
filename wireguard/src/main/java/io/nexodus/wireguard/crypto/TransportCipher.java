package io.nexodus.wireguard.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 for transport data, in place on heap arrays (the JDK's intrinsic path; direct buffers make the
 * JDK copy the whole packet). Not thread-safe: each packet thread owns one. Keys are {@link SecretKey}s made once per
 * session with {@link #key(byte[])}.
 */
public final class TransportCipher {
    private final Cipher cipher;
    private final byte[] nonce = new byte[12];

    public TransportCipher() {
        try {
            cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks ChaCha20-Poly1305", e);
        }
    }

    public static SecretKey key(byte[] raw) {
        return new SecretKeySpec(raw, "ChaCha20");
    }

    /** Encrypts {@code buf[off, off+len)} in place and appends the tag; returns {@code len + 16}. */
    public int seal(SecretKey key, long counter, byte[] buf, int off, int len) {
        setNonce(counter);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
            return cipher.doFinal(buf, off, len, buf, off);
        } catch (InvalidKeyException e) {
            // Only "matching key and nonce from previous initialization": a counter was reused, which must never
            // happen; refuse rather than encrypt twice under one nonce.
            throw new IllegalStateException("nonce reuse refused", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 encryption failed", e);
        }
    }

    /**
     * Decrypts {@code buf[off, off+len)} (ciphertext and tag) in place; returns the plaintext length, or -1 if the tag
     * does not verify or the input is shorter than a tag. The plaintext is written only after the tag checked out.
     */
    public int open(SecretKey key, long counter, byte[] buf, int off, int len) {
        if (len < ChaCha20Poly1305.TAG_LENGTH) {
            return -1;
        }
        setNonce(counter);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
            return cipher.doFinal(buf, off, len, buf, off);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 decryption failed", e);
        }
    }

    private void setNonce(long counter) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
    }
}
