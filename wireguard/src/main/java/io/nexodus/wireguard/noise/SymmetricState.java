package io.nexodus.wireguard.noise;

import io.nexodus.wireguard.crypto.Blake2s;
import io.nexodus.wireguard.crypto.ChaCha20Poly1305;
import io.nexodus.wireguard.crypto.Kdf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Noise symmetric state (Noise spec rev 34 §5.2) for the ChaChaPoly/BLAKE2s suite: chaining key {@code ck},
 * handshake hash {@code h} and the current cipher key {@code k} with its nonce. WireGuard's names are C, H and the
 * temporary key κ. Mutable, confined to one handshake; {@link #erase()} wipes it.
 */
public final class SymmetricState {
    private byte[] ck;
    private byte[] h;
    private byte[] k;
    private long n;

    private SymmetricState(byte[] ck, byte[] h) {
        this.ck = ck;
        this.h = h;
    }

    /** InitializeSymmetric(protocolName) followed by MixHash(prologue). */
    public static SymmetricState initialize(String protocolName, byte[] prologue) {
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        byte[] h = name.length <= 32 ? Arrays.copyOf(name, 32) : Blake2s.hash(name);
        SymmetricState s = new SymmetricState(h.clone(), h);
        s.mixHash(prologue);
        return s;
    }

    /** A copy of a precomputed starting point (the responder and initiator both start from H0 for one prologue). */
    public static SymmetricState of(byte[] chainingKey, byte[] hash) {
        return new SymmetricState(chainingKey.clone(), hash.clone());
    }

    /** An independent copy, so a step that may fail (a forged message) can run without touching this state. */
    public SymmetricState copy() {
        SymmetricState c = new SymmetricState(ck.clone(), h.clone());
        c.k = k == null ? null : k.clone();
        c.n = n;
        return c;
    }

    public void mixHash(byte[] data) {
        h = Blake2s.hash(h, data);
    }

    /** MixKey: {@code ck, k = KDF2(ck, ikm)}; the nonce restarts at 0. */
    public void mixKey(byte[] ikm) {
        byte[][] out = Kdf.kdf2(ck, ikm);
        ck = out[0];
        k = out[1];
        n = 0;
    }

    /** MixKeyAndHash (the psk token): {@code ck, t, k = KDF3(ck, ikm); MixHash(t)}. */
    public void mixKeyAndHash(byte[] ikm) {
        byte[][] out = Kdf.kdf3(ck, ikm);
        ck = out[0];
        mixHash(out[1]);
        k = out[2];
        n = 0;
    }

    public byte[] encryptAndHash(byte[] plaintext) {
        if (k == null) {
            throw new IllegalStateException("no key mixed in yet");
        }
        byte[] c = ChaCha20Poly1305.seal(k, n++, plaintext, h);
        mixHash(c);
        return c;
    }

    /** The plaintext, or null if authentication fails (the state is then unchanged). */
    public byte[] decryptAndHash(byte[] ciphertext) {
        if (k == null) {
            throw new IllegalStateException("no key mixed in yet");
        }
        byte[] p = ChaCha20Poly1305.open(k, n, ciphertext, h);
        if (p == null) {
            return null;
        }
        n++;
        mixHash(ciphertext);
        return p;
    }

    /** Split: the two transport keys {@code (T1, T2) = KDF2(ck, empty)}; T1 is initiator-to-responder. */
    public byte[][] split() {
        return Kdf.kdf2(ck, new byte[0]);
    }

    public byte[] hash() {
        return h.clone();
    }

    public byte[] chainingKey() {
        return ck.clone();
    }

    public void erase() {
        Arrays.fill(ck, (byte) 0);
        Arrays.fill(h, (byte) 0);
        if (k != null) {
            Arrays.fill(k, (byte) 0);
        }
    }
}
