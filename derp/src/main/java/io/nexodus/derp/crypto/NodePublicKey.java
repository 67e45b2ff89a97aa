package io.nexodus.derp.crypto;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A DERP node public key: the 32-byte little-endian X25519 u-coordinate. It is the same 32 bytes as a WireGuard public
 * key, which is how Nexodus addresses peers on a relay. Immutable; equality is by value.
 */
public final class NodePublicKey implements Comparable<NodePublicKey> {
    public static final int LENGTH = 32;
    private static final String TEXT_PREFIX = "nodekey:";

    private final byte[] raw;
    private final int hash;

    private NodePublicKey(byte[] raw) {
        this.raw = raw;
        this.hash = Arrays.hashCode(raw);
    }

    /** The key from 32 raw bytes (copied). */
    public static NodePublicKey fromRaw(byte[] raw) {
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException("a node public key is 32 bytes, got " + raw.length);
        }
        return new NodePublicKey(raw.clone());
    }

    /** The key from 32 bytes of {@code buf} starting at {@code offset} (copied). */
    public static NodePublicKey fromRaw(byte[] buf, int offset) {
        return new NodePublicKey(Arrays.copyOfRange(buf, offset, offset + LENGTH));
    }

    /** Parses 64 hex digits, optionally prefixed with {@code nodekey:}. */
    public static NodePublicKey fromHex(String text) {
        String hex = text.startsWith(TEXT_PREFIX) ? text.substring(TEXT_PREFIX.length()) : text;
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a node public key is 64 hex digits");
        }
        return new NodePublicKey(HexFormat.of().parseHex(hex));
    }

    /** Parses the standard base64 form WireGuard uses for public keys. */
    public static NodePublicKey fromBase64(String base64) {
        return fromRaw(Base64.getDecoder().decode(base64.trim()));
    }

    /** A copy of the 32 raw bytes. */
    public byte[] toRaw() {
        return raw.clone();
    }

    /** Copies the 32 raw bytes into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(raw, 0, dst, offset, LENGTH);
    }

    /** Whether all 32 bytes are zero (never a real key). */
    public boolean isZero() {
        for (byte b : raw) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Lowercase untyped hex, as in the {@code Derp-Public-Key} header and the meta certificate. */
    public String toHex() {
        return HexFormat.of().formatHex(raw);
    }

    /** The WireGuard base64 form. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(raw);
    }

    /** Short form for logs. */
    public String shortString() {
        return "[" + toBase64().substring(0, 5) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodePublicKey other && Arrays.equals(raw, other.raw);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(NodePublicKey o) {
        return Arrays.compareUnsigned(raw, o.raw);
    }

    /** {@code nodekey:<64 hex>}, the typed text form. */
    @Override
    public String toString() {
        return TEXT_PREFIX + toHex();
    }
}
