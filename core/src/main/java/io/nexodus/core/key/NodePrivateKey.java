package io.nexodus.core.key;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * A Curve25519 private key that identifies a node: the 32-byte X25519 scalar behind a {@link NodePublicKey} (a
 * device's WireGuard key, which is also its DERP node key; a DERP relay's server key). Immutable.
 *
 * <p>The bytes are kept as given: X25519 clamps the scalar itself, so a key and its {@link #clamped()} form have the
 * same public key and agree on the same secrets (wireguard-go clamps keys it is given; {@link #generate} clamps). The
 * all-zero key is representable because UAPI uses it for "no key" ({@link #isZero()}).
 *
 * <p>Secret material never leaves by accident ({@link SecretKeyBytes}): {@link #toString()} shows only the public key,
 * {@code equals} runs in constant time, {@code hashCode} depends on no key bit. The text forms ({@code toBase64()},
 * {@code toHex()}, {@link #toText()}) are for key files and the WireGuard configuration only.
 */
public final class NodePrivateKey extends SecretKeyBytes {
    public static final int LENGTH = 32;
    private static final String TEXT_PREFIX = "privkey:";
    private static final String WHAT = "a private key";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Derived on first use (an X25519, ~50 µs); a benign race, as the result is immutable and always the same. */
    private NodePublicKey publicKey;

    private NodePrivateKey(byte[] raw) {
        super(raw);
    }

    /** A new random key from the system's {@link SecureRandom}, clamped (as {@code wg genkey} and Go's {@code key.NewNode}). */
    public static NodePrivateKey generate() {
        return generate(RANDOM);
    }

    /** A new key from {@code random}, clamped. Use a {@link SecureRandom} outside tests. */
    public static NodePrivateKey generate(RandomGenerator random) {
        return new NodePrivateKey(X25519.generatePrivate(random));
    }

    /** The key from exactly 32 raw bytes (copied, not clamped). */
    public static NodePrivateKey fromRaw(byte[] raw) {
        X25519.checkLength(raw, WHAT);
        return new NodePrivateKey(raw.clone());
    }

    /** Parses the 44-character base64 form ({@code wg genkey}, nexd's state file). */
    public static NodePrivateKey fromBase64(String text) {
        return new NodePrivateKey(KeyEncoding.fromBase64(text, WHAT));
    }

    /** Parses 64 hex digits without a prefix (UAPI's {@code private_key}). */
    public static NodePrivateKey fromHex(String text) {
        return new NodePrivateKey(KeyEncoding.fromHex(text, WHAT));
    }

    /** Parses the typed text {@code privkey:<64 hex>} (the DERP relay's key file), as Go's text unmarshalling. */
    public static NodePrivateKey parse(String text) {
        return new NodePrivateKey(KeyEncoding.fromTypedHex(text, TEXT_PREFIX, WHAT));
    }

    /** The public key {@code X25519(this, 9)}. */
    public NodePublicKey publicKey() {
        NodePublicKey p = publicKey;
        if (p == null) {
            p = NodePublicKey.fromRaw(X25519.publicKey(raw()));
            publicKey = p;
        }
        return p;
    }

    /**
     * {@code X25519(this, peer)}: the raw Diffie-Hellman secret (hash it before use as a key).
     *
     * @throws InvalidKeyException when {@code peer} is a small-order point (the result would be zero); see
     *     {@link X25519}
     */
    public byte[] sharedSecret(NodePublicKey peer) throws InvalidKeyException {
        return X25519.sharedSecret(raw(), peer.toRaw());
    }

    /** This key clamped as RFC 7748 §5 says (the same public key; the form {@link #generate} makes). */
    public NodePrivateKey clamped() {
        byte[] b = toRaw();
        X25519.clamp(b);
        return new NodePrivateKey(b);
    }

    /** {@code privkey:<64 hex>} (secret: for the DERP relay's key file). */
    public String toText() {
        return TEXT_PREFIX + toHex();
    }

    /** The public key only, e.g. {@code NodePrivateKey[public=nodekey:…]}; {@code NodePrivateKey[zero]} for none. */
    @Override
    public String toString() {
        return isZero() ? "NodePrivateKey[zero]" : "NodePrivateKey[public=" + publicKey() + "]";
    }
}
