package io.nexodus.wireguard.noise;

import io.nexodus.core.key.X25519;
import java.security.InvalidKeyException;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The Noise {@code IKpsk2} handshake core with X25519, ChaChaPoly and BLAKE2s, with prologue and payloads as
 * parameters. WireGuard is this pattern with prologue "WireGuard v1 zx2c4 Jason@zx2c4.com", a 12-byte TAI64N payload
 * in message 1 and an empty payload in message 2; the cacophony test vector uses other values, which is how this core
 * is checked. Message layouts:
 * <pre>
 *   message 1 (-> e, es, s, ss):     e.pub[32] || enc(s.pub)[48] || enc(payload)[len+16]
 *   message 2 (<- e, ee, se, psk):   e.pub[32] || enc(payload)[len+16]
 * </pre>
 * The handshake is one-shot and not thread-safe.
 */
public final class IkPsk2 {
    public static final String PROTOCOL_NAME = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    public static final int KEY_LENGTH = 32;
    public static final int TAG_LENGTH = 16;

    private IkPsk2() {}

    /** The state after the pre-message {@code <- s}: {@code InitializeSymmetric; MixHash(prologue); MixHash(rs)}. */
    public static SymmetricState start(byte[] prologue, byte[] responderStaticPublic) {
        SymmetricState s = SymmetricState.initialize(PROTOCOL_NAME, prologue);
        s.mixHash(responderStaticPublic);
        return s;
    }

    /** The failure of a handshake step: a tag did not verify, a DH gave zero, or the peer is unknown. */
    public static final class HandshakeFailure extends Exception {
        public HandshakeFailure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Initiator side of message 1. {@code state} comes from {@link #start}; {@code staticStatic} is the precomputed
     * {@code DH(s_i, s_r)}. Returns the message body; {@code state} has advanced.
     */
    public static byte[] writeMessage1(
            SymmetricState state,
            byte[] ephemeralPrivate,
            byte[] initiatorStaticPublic,
            byte[] responderStaticPublic,
            byte[] staticStatic,
            byte[] payload)
            throws HandshakeFailure {
        byte[] ePub = X25519.publicKey(ephemeralPrivate);
        state.mixHash(ePub);
        state.mixKey(ePub);
        state.mixKey(dh(ephemeralPrivate, responderStaticPublic));
        byte[] encStatic = state.encryptAndHash(initiatorStaticPublic);
        if (staticStatic == null) {
            throw new HandshakeFailure("static-static DH is zero");
        }
        state.mixKey(staticStatic);
        byte[] encPayload = state.encryptAndHash(payload);
        return concat(ePub, encStatic, encPayload);
    }

    /** What the responder learned from message 1 (the arrays are the caller's to keep). */
    public static final class Message1 {
        private final byte[] initiatorEphemeral;
        private final byte[] initiatorStatic;
        private final byte[] payload;

        Message1(byte[] initiatorEphemeral, byte[] initiatorStatic, byte[] payload) {
            this.initiatorEphemeral = initiatorEphemeral;
            this.initiatorStatic = initiatorStatic;
            this.payload = payload;
        }

        public byte[] initiatorEphemeral() {
            return initiatorEphemeral;
        }

        public byte[] initiatorStatic() {
            return initiatorStatic;
        }

        public byte[] payload() {
            return payload;
        }
    }

    /**
     * Responder side of message 1. {@code staticStatic} maps the decrypted initiator static key to the precomputed
     * {@code DH(s_r, s_i)}, or to null if that key is not a known peer (then the handshake fails before the payload
     * is even decrypted).
     */
    public static Message1 readMessage1(
            SymmetricState state,
            byte[] responderStaticPrivate,
            byte[] message,
            int payloadLength,
            Function<byte[], byte[]> staticStatic)
            throws HandshakeFailure {
        if (message.length != KEY_LENGTH + KEY_LENGTH + TAG_LENGTH + payloadLength + TAG_LENGTH) {
            throw new HandshakeFailure("message 1 has the wrong length");
        }
        byte[] ePub = Arrays.copyOfRange(message, 0, KEY_LENGTH);
        state.mixHash(ePub);
        state.mixKey(ePub);
        state.mixKey(dh(responderStaticPrivate, ePub));
        byte[] sPub = state.decryptAndHash(Arrays.copyOfRange(message, KEY_LENGTH, 2 * KEY_LENGTH + TAG_LENGTH));
        if (sPub == null) {
            throw new HandshakeFailure("cannot decrypt the initiator's static key");
        }
        byte[] ss = staticStatic.apply(sPub);
        if (ss == null) {
            throw new HandshakeFailure("unknown initiator static key");
        }
        state.mixKey(ss);
        byte[] payload = state.decryptAndHash(Arrays.copyOfRange(message, 2 * KEY_LENGTH + TAG_LENGTH, message.length));
        if (payload == null) {
            throw new HandshakeFailure("cannot decrypt the message 1 payload");
        }
        return new Message1(ePub, sPub, payload);
    }

    /** Responder side of message 2; {@code psk} is 32 zero bytes when none is configured. */
    public static byte[] writeMessage2(
            SymmetricState state,
            byte[] ephemeralPrivate,
            byte[] initiatorEphemeral,
            byte[] initiatorStatic,
            byte[] psk,
            byte[] payload)
            throws HandshakeFailure {
        byte[] ePub = X25519.publicKey(ephemeralPrivate);
        state.mixHash(ePub);
        state.mixKey(ePub);
        state.mixKey(dh(ephemeralPrivate, initiatorEphemeral));
        state.mixKey(dh(ephemeralPrivate, initiatorStatic));
        state.mixKeyAndHash(psk);
        byte[] encPayload = state.encryptAndHash(payload);
        return concat(ePub, encPayload);
    }

    /** Initiator side of message 2; returns the payload. */
    public static byte[] readMessage2(
            SymmetricState state, byte[] ephemeralPrivate, byte[] initiatorStaticPrivate, byte[] psk, byte[] message)
            throws HandshakeFailure {
        if (message.length < KEY_LENGTH + TAG_LENGTH) {
            throw new HandshakeFailure("message 2 is too short");
        }
        byte[] ePub = Arrays.copyOfRange(message, 0, KEY_LENGTH);
        state.mixHash(ePub);
        state.mixKey(ePub);
        state.mixKey(dh(ephemeralPrivate, ePub));
        state.mixKey(dh(initiatorStaticPrivate, ePub));
        state.mixKeyAndHash(psk);
        byte[] payload = state.decryptAndHash(Arrays.copyOfRange(message, KEY_LENGTH, message.length));
        if (payload == null) {
            throw new HandshakeFailure("cannot decrypt the message 2 payload");
        }
        return payload;
    }

    private static byte[] dh(byte[] priv, byte[] pub) throws HandshakeFailure {
        try {
            return X25519.sharedSecret(priv, pub);
        } catch (InvalidKeyException e) {
            throw new HandshakeFailure("Diffie-Hellman result is zero (small-order point)");
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
