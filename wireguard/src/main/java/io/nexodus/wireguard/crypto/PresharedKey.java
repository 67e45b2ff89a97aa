package io.nexodus.wireguard.crypto;

import io.nexodus.core.key.KeyEncoding;
import io.nexodus.core.key.SecretKeyBytes;
import java.security.SecureRandom;

/**
 * A WireGuard preshared key: 32 secret bytes mixed into the handshake (the {@code psk} of Noise {@code IKpsk2}), all
 * zero when none is configured. Curve25519 keys are {@link io.nexodus.core.key.NodePrivateKey} and
 * {@link io.nexodus.core.key.NodePublicKey}. Immutable; compared in constant time; never printed.
 */
public final class PresharedKey extends SecretKeyBytes {
    public static final int LENGTH = KeyEncoding.LENGTH;
    private static final String WHAT = "a preshared key";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PresharedKey(byte[] raw) {
        super(raw);
    }

    /** The all-zero key: "no preshared key". */
    public static PresharedKey none() {
        return new PresharedKey(new byte[LENGTH]);
    }

    /** A new random key ({@code wg genpsk}). */
    public static PresharedKey generate() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        return new PresharedKey(b);
    }

    /** The key from exactly 32 raw bytes (copied). */
    public static PresharedKey fromRaw(byte[] raw) {
        return new PresharedKey(raw.clone());
    }

    /** Parses the 44-character base64 form ({@code wg genpsk}). */
    public static PresharedKey fromBase64(String text) {
        return new PresharedKey(KeyEncoding.fromBase64(text, WHAT));
    }

    /** Parses the 64-hex-digit form of UAPI. */
    public static PresharedKey fromHex(String text) {
        return new PresharedKey(KeyEncoding.fromHex(text, WHAT));
    }

    @Override
    public String toString() {
        return isZero() ? "PresharedKey[none]" : "PresharedKey[redacted]";
    }
}
