package io.nexodus.derp.crypto;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A DERP node private key: a clamped 32-byte X25519 scalar. The text form {@code privkey:<64 hex>} is what the
 * derper key file holds. {@link #toString()} never prints the key.
 */
public final class NodePrivateKey {
    public static final int LENGTH = 32;
    private static final String TEXT_PREFIX = "privkey:";

    private final byte[] raw;
    private final NodePublicKey publicKey;

    private NodePrivateKey(byte[] raw) {
        this.raw = raw;
        try {
            this.publicKey = NodePublicKey.fromRaw(X25519.scalarMult(raw, X25519.BASE_POINT));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("X25519 with the base point cannot give zero", e);
        }
    }

    /** A new random key, clamped as Go's {@code key.NewNode} does. */
    public static NodePrivateKey generate(SecureRandom random) {
        byte[] k = new byte[LENGTH];
        random.nextBytes(k);
        clamp(k);
        return new NodePrivateKey(k);
    }

    /** A new key from a fresh {@link SecureRandom}. */
    public static NodePrivateKey generate() {
        return generate(new SecureRandom());
    }

    /** The key from 32 raw bytes (copied and clamped, so a WireGuard private key works as is). */
    public static NodePrivateKey fromRaw(byte[] raw) {
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException("a node private key is 32 bytes, got " + raw.length);
        }
        byte[] k = raw.clone();
        clamp(k);
        return new NodePrivateKey(k);
    }

    /** Parses {@code privkey:<64 hex>} (the prefix is required, as in Go's text unmarshalling). */
    public static NodePrivateKey parse(String text) {
        if (!text.startsWith(TEXT_PREFIX)) {
            throw new IllegalArgumentException("a private key must look like privkey:<64 hex digits>");
        }
        String hex = text.substring(TEXT_PREFIX.length());
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a private key must have 64 hex digits after privkey:");
        }
        return fromRaw(HexFormat.of().parseHex(hex));
    }

    private static void clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] = (byte) ((k[31] & 127) | 64);
    }

    public NodePublicKey publicKey() {
        return publicKey;
    }

    /** {@code privkey:<64 hex>}: secret, for the key file only. */
    public String toText() {
        return TEXT_PREFIX + HexFormat.of().formatHex(raw);
    }

    /** A copy of the raw scalar. */
    public byte[] toRaw() {
        return raw.clone();
    }

    /** {@code crypto_box_beforenm}: the XSalsa20-Poly1305 key shared with {@code peer}. */
    public byte[] sharedBoxKey(NodePublicKey peer) throws InvalidKeyException {
        byte[] dh = X25519.scalarMult(raw, peer.toRaw());
        try {
            return HSalsa20.derive(dh, new byte[16]);
        } finally {
            Arrays.fill(dh, (byte) 0);
        }
    }

    /**
     * Seals {@code message} to {@code peer} like Go's {@code key.NodePrivate.SealTo}: a random 24-byte nonce followed by
     * the NaCl box ({@code tag || ciphertext}).
     */
    public byte[] sealTo(NodePublicKey peer, byte[] message, RandomGenerator nonceSource) throws InvalidKeyException {
        byte[] nonce = new byte[NaclBox.NONCE_LENGTH];
        nonceSource.nextBytes(nonce);
        byte[] box = NaclBox.sealAfterPrecomputation(message, nonce, sharedBoxKey(peer));
        byte[] out = new byte[nonce.length + box.length];
        System.arraycopy(nonce, 0, out, 0, nonce.length);
        System.arraycopy(box, 0, out, nonce.length, box.length);
        return out;
    }

    /** Opens a {@code nonce || box} produced by {@code peer}'s {@link #sealTo}; empty when it does not authenticate. */
    public Optional<byte[]> openFrom(NodePublicKey peer, byte[] nonceAndBox) {
        if (nonceAndBox.length < NaclBox.NONCE_LENGTH + NaclBox.OVERHEAD) {
            return Optional.empty();
        }
        byte[] nonce = Arrays.copyOf(nonceAndBox, NaclBox.NONCE_LENGTH);
        byte[] box = Arrays.copyOfRange(nonceAndBox, NaclBox.NONCE_LENGTH, nonceAndBox.length);
        try {
            return NaclBox.openAfterPrecomputation(box, nonce, sharedBoxKey(peer));
        } catch (InvalidKeyException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodePrivateKey other && java.security.MessageDigest.isEqual(raw, other.raw);
    }

    @Override
    public int hashCode() {
        return publicKey.hashCode();
    }

    @Override
    public String toString() {
        return "NodePrivateKey[public=" + publicKey + "]";
    }
}
