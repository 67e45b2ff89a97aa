package io.nexodus.derp.crypto;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.key.X25519;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * NaCl {@code crypto_box} (curve25519-xsalsa20-poly1305), byte-compatible with Go's {@code golang.org/x/crypto/nacl/box}:
 * the output of {@link #seal} is {@code poly1305 tag (16) || ciphertext}, the nonce is carried separately.
 */
public final class NaclBox {
    public static final int NONCE_LENGTH = 24;
    public static final int OVERHEAD = 16;
    private static final int POLY_KEY_LENGTH = 32;

    private NaclBox() {}

    /** {@code box.Seal}: seals {@code message} from {@code sender} to {@code recipient}. */
    public static byte[] seal(byte[] message, byte[] nonce, NodePublicKey recipient, NodePrivateKey sender)
            throws InvalidKeyException {
        return sealAfterPrecomputation(message, nonce, sharedKey(sender, recipient));
    }

    /** {@code box.Open}: empty when the box does not authenticate. */
    public static Optional<byte[]> open(byte[] box, byte[] nonce, NodePublicKey sender, NodePrivateKey recipient)
            throws InvalidKeyException {
        return openAfterPrecomputation(box, nonce, sharedKey(recipient, sender));
    }

    /**
     * {@code crypto_box_beforenm}: the XSalsa20-Poly1305 key {@code own} shares with {@code peer},
     * HSalsa20(X25519(own, peer), 0).
     *
     * @throws InvalidKeyException when {@code peer} is a small-order point (see {@link X25519})
     */
    public static byte[] sharedKey(NodePrivateKey own, NodePublicKey peer) throws InvalidKeyException {
        byte[] dh = own.sharedSecret(peer);
        try {
            return HSalsa20.derive(dh, new byte[16]);
        } finally {
            Arrays.fill(dh, (byte) 0);
        }
    }

    /**
     * Seals {@code message} from {@code sender} to {@code recipient} as Go's {@code key.NodePrivate.SealTo} does: a
     * random 24-byte nonce followed by the box ({@code tag || ciphertext}).
     */
    public static byte[] sealTo(NodePrivateKey sender, NodePublicKey recipient, byte[] message, RandomGenerator nonces)
            throws InvalidKeyException {
        byte[] nonce = new byte[NONCE_LENGTH];
        nonces.nextBytes(nonce);
        byte[] box = sealAfterPrecomputation(message, nonce, sharedKey(sender, recipient));
        byte[] out = new byte[nonce.length + box.length];
        System.arraycopy(nonce, 0, out, 0, nonce.length);
        System.arraycopy(box, 0, out, nonce.length, box.length);
        return out;
    }

    /**
     * Opens a {@code nonce || box} that {@code sender} made with {@link #sealTo}; empty when it does not authenticate,
     * is too short, or {@code sender} is a small-order point. Never throws on bad input: it comes from the network.
     */
    public static Optional<byte[]> openFrom(NodePrivateKey recipient, NodePublicKey sender, byte[] nonceAndBox) {
        if (nonceAndBox.length < NONCE_LENGTH + OVERHEAD) {
            return Optional.empty();
        }
        byte[] nonce = Arrays.copyOf(nonceAndBox, NONCE_LENGTH);
        byte[] box = Arrays.copyOfRange(nonceAndBox, NONCE_LENGTH, nonceAndBox.length);
        try {
            return openAfterPrecomputation(box, nonce, sharedKey(recipient, sender));
        } catch (InvalidKeyException e) {
            return Optional.empty();
        }
    }

    /** {@code secretbox.Seal} with the precomputed key {@code k} ({@code crypto_box_afternm}). */
    public static byte[] sealAfterPrecomputation(byte[] message, byte[] nonce, byte[] k) {
        checkNonce(nonce);
        XSalsa20Engine stream = stream(k, nonce);
        byte[] polyKey = new byte[POLY_KEY_LENGTH];
        stream.processBytes(polyKey, 0, POLY_KEY_LENGTH, polyKey, 0); // first 32 keystream bytes
        byte[] out = new byte[OVERHEAD + message.length];
        stream.processBytes(message, 0, message.length, out, OVERHEAD);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(polyKey));
        mac.update(out, OVERHEAD, message.length);
        mac.doFinal(out, 0);
        Arrays.fill(polyKey, (byte) 0);
        return out;
    }

    /** {@code secretbox.Open} with the precomputed key {@code k}. */
    public static Optional<byte[]> openAfterPrecomputation(byte[] box, byte[] nonce, byte[] k) {
        checkNonce(nonce);
        if (box.length < OVERHEAD) {
            return Optional.empty();
        }
        XSalsa20Engine stream = stream(k, nonce);
        byte[] polyKey = new byte[POLY_KEY_LENGTH];
        stream.processBytes(polyKey, 0, POLY_KEY_LENGTH, polyKey, 0);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(polyKey));
        mac.update(box, OVERHEAD, box.length - OVERHEAD);
        byte[] tag = new byte[OVERHEAD];
        mac.doFinal(tag, 0);
        Arrays.fill(polyKey, (byte) 0);
        if (!MessageDigest.isEqual(tag, Arrays.copyOf(box, OVERHEAD))) {
            return Optional.empty();
        }
        byte[] plain = new byte[box.length - OVERHEAD];
        stream.processBytes(box, OVERHEAD, plain.length, plain, 0);
        return Optional.of(plain);
    }

    private static XSalsa20Engine stream(byte[] k, byte[] nonce) {
        XSalsa20Engine engine = new XSalsa20Engine();
        engine.init(true, new ParametersWithIV(new KeyParameter(k), nonce));
        return engine;
    }

    private static void checkNonce(byte[] nonce) {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a NaCl box nonce is 24 bytes");
        }
    }
}
