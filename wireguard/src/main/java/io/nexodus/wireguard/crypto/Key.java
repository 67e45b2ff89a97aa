package io.nexodus.wireguard.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A 32-byte WireGuard key: a Curve25519 private or public key, or a preshared key. Immutable. {@code wg} shows keys
 * as base64 (44 characters); UAPI uses lowercase hex (64 characters). Equality is constant-time.
 */
public final class Key {
    public static final int LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private Key(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps a copy of exactly 32 bytes. */
    public static Key of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a key is 32 bytes, got " + bytes.length);
        }
        return new Key(bytes.clone());
    }

    /** Parses the 44-character base64 form that {@code wg genkey} prints. */
    public static Key fromBase64(String text) {
        String s = text.strip();
        byte[] b;
        try {
            b = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a base64 key: " + e.getMessage());
        }
        if (b.length != LENGTH || s.length() != 44) {
            throw new IllegalArgumentException("a base64 key is 44 characters encoding 32 bytes");
        }
        return new Key(b);
    }

    /** Parses the 64-character hex form used by UAPI. */
    public static Key fromHex(String text) {
        if (text.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a hex key is 64 characters, got " + text.length());
        }
        try {
            return new Key(HEX.parseHex(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a hex key: " + e.getMessage());
        }
    }

    /** A new random private key, clamped as RFC 7748 asks. */
    public static Key generatePrivate() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        X25519.clamp(b);
        return new Key(b);
    }

    /** A new random preshared key ({@code wg genpsk}). */
    public static Key generatePreshared() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        return new Key(b);
    }

    /** The public key of this private key. */
    public Key publicKey() {
        return new Key(X25519.publicKey(bytes));
    }

    /** This private key clamped (wireguard-go clamps keys it receives through UAPI). */
    public Key clamped() {
        byte[] b = bytes.clone();
        X25519.clamp(b);
        return new Key(b);
    }

    /** True if every byte is zero (UAPI uses that for "no key"). */
    public boolean isZero() {
        int acc = 0;
        for (byte x : bytes) {
            acc |= x;
        }
        return acc == 0;
    }

    /** A copy of the 32 bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The bytes without copying: callers in this module promise not to modify them. */
    byte[] raw() {
        return bytes;
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public String toHex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && MessageDigest.isEqual(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The base64 form; use it for public keys only (never log private keys). */
    @Override
    public String toString() {
        return toBase64();
    }
}
