package io.nexodus.core.key;

import java.security.MessageDigest;

/**
 * What every 32-byte secret of the tree shares, whatever its role ({@link NodePrivateKey}, WireGuard's preshared key,
 * DERP's mesh key): {@link #equals} runs in constant time and only between keys of the same class, {@link #hashCode()}
 * depends on no key bit, and {@code toString()} (each subclass's) never shows the bytes; the text forms are explicit
 * calls meant for configuration and key files. Immutable.
 */
public abstract class SecretKeyBytes {
    private final byte[] raw;

    /** Takes {@code raw} (exactly 32 bytes) as it is: callers pass a copy they own. */
    protected SecretKeyBytes(byte[] raw) {
        if (raw.length != KeyEncoding.LENGTH) {
            throw new IllegalArgumentException("a key is 32 bytes, got " + raw.length);
        }
        this.raw = raw;
    }

    /** The bytes themselves, for the subclass's arithmetic; never handed out. */
    protected final byte[] raw() {
        return raw;
    }

    /** Whether all 32 bytes are zero (the "no key" value of UAPI). */
    public final boolean isZero() {
        return X25519.isZero(raw);
    }

    /** A copy of the 32 bytes (secret). */
    public final byte[] toRaw() {
        return raw.clone();
    }

    /** Standard base64 (secret: for configuration and key files). */
    public final String toBase64() {
        return KeyEncoding.toBase64(raw);
    }

    /** Lowercase hex (secret: for UAPI and key files). */
    public final String toHex() {
        return KeyEncoding.toHex(raw);
    }

    /** Constant-time comparison with a key of the same class. */
    @Override
    @SuppressWarnings("EqualsGetClass") // secrets of different roles with the same bytes are not one key
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && MessageDigest.isEqual(raw, ((SecretKeyBytes) o).raw);
    }

    /** The same for every key of a class: a hash must not leak key bits, and secrets are not meant as map keys. */
    @Override
    public final int hashCode() {
        return getClass().getName().hashCode();
    }
}
