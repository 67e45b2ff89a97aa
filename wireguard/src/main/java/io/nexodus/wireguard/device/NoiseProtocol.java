package io.nexodus.wireguard.device;

import io.nexodus.core.key.X25519;
import io.nexodus.wireguard.crypto.Blake2s;
import io.nexodus.wireguard.crypto.Tai64n;
import io.nexodus.wireguard.crypto.TransportCipher;
import io.nexodus.wireguard.noise.IkPsk2;
import io.nexodus.wireguard.noise.SymmetricState;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * WireGuard's handshake messages on top of the Noise IKpsk2 core: message framing, indices, the TAI64N payload with
 * its replay and flood checks, and deriving the session keypair (whitepaper §5.4). The equivalent of wireguard-go's
 * {@code noise-protocol.go}.
 */
final class NoiseProtocol {
    static final byte[] IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII);
    /** C0 = HASH(construction) and H0 = HASH(C0 || identifier): the state after initialisation and the prologue. */
    static final byte[] C0 = Blake2s.hash(IkPsk2.PROTOCOL_NAME.getBytes(StandardCharsets.US_ASCII));

    static final byte[] H0 = Blake2s.hash(C0, IDENTIFIER);
    private static final byte[] EMPTY = new byte[0];

    private final Device device;

    NoiseProtocol(Device device) {
        this.device = device;
    }

    /** The state after the pre-message {@code <- s} for a responder whose static public key is {@code responder}. */
    static byte[] initialHash(byte[] responderStaticPublic) {
        return Blake2s.hash(H0, responderStaticPublic);
    }

    /** Builds a type 1 message for {@code peer} (without MACs), or null if we have no private key. */
    byte[] createInitiation(Peer peer) {
        Identity id = device.config.identity();
        if (id == null) {
            return null;
        }
        Handshake hs = peer.handshake;
        synchronized (hs) {
            byte[] ss = peer.staticStatic;
            if (ss == null) {
                return null;
            }
            byte[] ephemeral = X25519.generatePrivate();
            SymmetricState noise = SymmetricState.of(C0, peer.initiatorHash);
            byte[] body;
            try {
                body = IkPsk2.writeMessage1(
                        noise, ephemeral, id.publicKey(), peer.publicKeyBytes, ss, Tai64n.of(device.scheduler.now()));
            } catch (IkPsk2.HandshakeFailure e) {
                return null;
            }
            if (hs.hasLocalIndex) {
                device.indexTable.delete(hs.localIndex);
            }
            hs.clear();
            hs.localIndex = device.indexTable.newIndex(peer);
            hs.hasLocalIndex = true;
            hs.noise = noise;
            hs.localEphemeral = ephemeral;
            hs.state = Handshake.State.INITIATION_CREATED;
            byte[] msg = new byte[Messages.INITIATION_SIZE];
            Messages.putLe32(msg, 0, Messages.TYPE_INITIATION);
            Messages.putLe32(msg, Messages.INIT_SENDER, hs.localIndex);
            System.arraycopy(body, 0, msg, Messages.INIT_NOISE, body.length);
            return msg;
        }
    }

    /** Consumes a type 1 message (MACs already checked); returns the peer, or null after counting the drop. */
    Peer consumeInitiation(byte[] msg) {
        Identity id = device.config.identity();
        if (id == null) {
            device.drop(DropReason.HANDSHAKE_FAILED);
            return null;
        }
        SymmetricState noise = SymmetricState.of(C0, id.responderHash());
        Peer[] found = new Peer[1];
        IkPsk2.Message1 m1;
        try {
            m1 = IkPsk2.readMessage1(
                    noise,
                    id.privateKey(),
                    Arrays.copyOfRange(msg, Messages.INIT_NOISE, Messages.INIT_NOISE + Messages.INIT_NOISE_LENGTH),
                    Tai64n.LENGTH,
                    spub -> {
                        Peer p = device.peerByKey(spub);
                        if (p == null) {
                            return null;
                        }
                        found[0] = p;
                        return p.staticStatic;
                    });
        } catch (IkPsk2.HandshakeFailure e) {
            device.drop(DropReason.HANDSHAKE_FAILED);
            return null;
        }
        Peer peer = found[0];
        Handshake hs = peer.handshake;
        long now = device.scheduler.nanoTime();
        synchronized (hs) {
            if (!Tai64n.after(m1.payload(), hs.lastTimestamp)) {
                device.drop(DropReason.HANDSHAKE_REPLAYED);
                return null;
            }
            if (hs.anyInitiationConsumed
                    && now - hs.lastInitiationConsumed
                            < device.timings.handshakeInitiationRate().toNanos()) {
                device.drop(DropReason.HANDSHAKE_FLOOD);
                return null;
            }
            if (hs.hasLocalIndex) {
                device.indexTable.delete(hs.localIndex);
            }
            hs.clear();
            hs.noise = noise;
            hs.remoteEphemeral = m1.initiatorEphemeral();
            hs.remoteIndex = Messages.le32(msg, Messages.INIT_SENDER);
            hs.lastTimestamp = m1.payload();
            hs.lastInitiationConsumed = now;
            hs.anyInitiationConsumed = true;
            hs.state = Handshake.State.INITIATION_CONSUMED;
        }
        return peer;
    }

    /** Builds a type 2 message answering the initiation just consumed (without MACs), or null. */
    byte[] createResponse(Peer peer) {
        Handshake hs = peer.handshake;
        synchronized (hs) {
            if (hs.state != Handshake.State.INITIATION_CONSUMED) {
                return null;
            }
            byte[] ephemeral = X25519.generatePrivate();
            byte[] body;
            try {
                body = IkPsk2.writeMessage2(
                        hs.noise, ephemeral, hs.remoteEphemeral, peer.publicKeyBytes, peer.presharedKey, EMPTY);
            } catch (IkPsk2.HandshakeFailure e) {
                hs.clear();
                return null;
            }
            hs.localIndex = device.indexTable.newIndex(peer);
            hs.hasLocalIndex = true;
            hs.localEphemeral = ephemeral;
            hs.state = Handshake.State.RESPONSE_CREATED;
            byte[] msg = new byte[Messages.RESPONSE_SIZE];
            Messages.putLe32(msg, 0, Messages.TYPE_RESPONSE);
            Messages.putLe32(msg, Messages.RESP_SENDER, hs.localIndex);
            Messages.putLe32(msg, Messages.RESP_RECEIVER, hs.remoteIndex);
            System.arraycopy(body, 0, msg, Messages.RESP_NOISE, body.length);
            return msg;
        }
    }

    /** Consumes a type 2 message (MACs already checked); returns the peer, or null after counting the drop. */
    Peer consumeResponse(byte[] msg) {
        Identity id = device.config.identity();
        IndexTable.Entry entry = device.indexTable.lookup(Messages.le32(msg, Messages.RESP_RECEIVER));
        if (id == null || entry == null || entry.keypair() != null) {
            device.drop(DropReason.HANDSHAKE_FAILED);
            return null;
        }
        Peer peer = entry.peer();
        Handshake hs = peer.handshake;
        synchronized (hs) {
            if (hs.state != Handshake.State.INITIATION_CREATED || !hs.hasLocalIndex || hs.localIndex != entry.index()) {
                device.drop(DropReason.HANDSHAKE_FAILED);
                return null;
            }
            // Work on a copy: a forged response (mac1 needs only our public key) must not spoil the real one.
            SymmetricState attempt = hs.noise.copy();
            try {
                IkPsk2.readMessage2(
                        attempt,
                        hs.localEphemeral,
                        id.privateKey(),
                        peer.presharedKey,
                        Arrays.copyOfRange(msg, Messages.RESP_NOISE, Messages.RESP_NOISE + Messages.RESP_NOISE_LENGTH));
            } catch (IkPsk2.HandshakeFailure e) {
                device.drop(DropReason.HANDSHAKE_FAILED);
                return null;
            }
            hs.noise.erase();
            hs.noise = attempt;
            hs.remoteIndex = Messages.le32(msg, Messages.RESP_SENDER);
            hs.state = Handshake.State.RESPONSE_CONSUMED;
        }
        return peer;
    }

    /** Derives the session keypair from a finished handshake and installs it (§2.3 rotation); null if not ready. */
    Keypair beginSymmetricSession(Peer peer) {
        Handshake hs = peer.handshake;
        Keypair kp;
        synchronized (hs) {
            boolean initiator;
            if (hs.state == Handshake.State.RESPONSE_CONSUMED) {
                initiator = true;
            } else if (hs.state == Handshake.State.RESPONSE_CREATED) {
                initiator = false;
            } else {
                return null;
            }
            byte[][] t = hs.noise.split();
            byte[] send = initiator ? t[0] : t[1];
            byte[] receive = initiator ? t[1] : t[0];
            kp = new Keypair(
                    peer,
                    TransportCipher.key(send),
                    TransportCipher.key(receive),
                    device.scheduler.nanoTime(),
                    initiator,
                    hs.localIndex,
                    hs.remoteIndex);
            Arrays.fill(t[0], (byte) 0);
            Arrays.fill(t[1], (byte) 0);
            device.indexTable.swapForKeypair(hs.localIndex, kp);
            hs.hasLocalIndex = false; // the keypair owns the index now
            hs.clear();
        }
        peer.keypairs.install(kp);
        return kp;
    }
}
