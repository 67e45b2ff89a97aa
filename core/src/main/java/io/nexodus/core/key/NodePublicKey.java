package io.nexodus.core.key;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Curve25519 public key that names a node: the 32-byte little-endian X25519 u-coordinate. In Nexodus one key pair is
 * a device's identity everywhere, as in Tailscale's {@code key.NodePublic}: it is the WireGuard public key, the DERP
 * node key a relay routes by, and the key the service seals the device token to. Immutable; equality is by value.
 *
 * <p>Text forms: {@link #toBase64()} ({@code wg}, the Nexodus API), {@link #toHex()} (UAPI, DERP headers and meta
 * certificate) and {@link #toString()}, the typed {@code nodekey:<64 hex>} that {@link #parse} reads.
 */
public final class NodePublicKey implements Comparable<NodePublicKey> {
    public static final int LENGTH = 32;
    private static final String TEXT_PREFIX = "nodekey:";
    private static final String WHAT = "a public key";

    private final byte[] raw;
    private final int hash;

    private NodePublicKey(byte[] raw) {
        this.raw = raw;
        this.hash = Arrays.hashCode(raw);
    }

    /** The key from exactly 32 raw bytes (copied). */
    public static NodePublicKey fromRaw(byte[] raw) {
        X25519.checkLength(raw, WHAT);
        return new NodePublicKey(raw.clone());
    }

    /** The key from the 32 bytes of {@code buf} at {@code offset} (copied). */
    public static NodePublicKey fromRaw(byte[] buf, int offset) {
        Objects.checkFromIndexSize(offset, LENGTH, buf.length);
        return new NodePublicKey(Arrays.copyOfRange(buf, offset, offset + LENGTH));
    }

    /** Parses the 44-character base64 form ({@code wg pubkey}, the API's {@code public_key}). */
    public static NodePublicKey fromBase64(String text) {
        return new NodePublicKey(KeyEncoding.fromBase64(text, WHAT));
    }

    /** Whether {@code text} is a key in the base64 form {@link #fromBase64} reads (for validating API input). */
    public static boolean isValidBase64(String text) {
        if (text == null) {
            return false;
        }
        try {
            KeyEncoding.fromBase64(text, WHAT);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Parses 64 hex digits without a prefix (UAPI's {@code public_key}, the {@code Derp-Public-Key} header). */
    public static NodePublicKey fromHex(String text) {
        return new NodePublicKey(KeyEncoding.fromHex(text, WHAT));
    }

    /** Parses the typed text {@code nodekey:<64 hex>} that {@link #toString()} writes. */
    public static NodePublicKey parse(String text) {
        return new NodePublicKey(KeyEncoding.fromTypedHex(text, TEXT_PREFIX, WHAT));
    }

    /** A copy of the 32 raw bytes. */
    public byte[] toRaw() {
        return raw.clone();
    }

    /** Copies the 32 raw bytes into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(raw, 0, dst, offset, LENGTH);
    }

    /** Whether all 32 bytes are zero (never a real key; UAPI and DERP use it for "none"). */
    public boolean isZero() {
        return X25519.isZero(raw);
    }

    /** Standard base64, as {@code wg} prints public keys. */
    public String toBase64() {
        return KeyEncoding.toBase64(raw);
    }

    /** Lowercase hex without a prefix. */
    public String toHex() {
        return KeyEncoding.toHex(raw);
    }

    /** A short form for logs: the first five base64 characters in brackets, as Tailscale's {@code ShortString}. */
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

    /** Unsigned lexicographic order of the raw bytes. */
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
