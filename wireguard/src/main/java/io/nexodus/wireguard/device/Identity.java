package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;

/**
 * Our static key pair and what is derived from it: the public key, the mac1/cookie checker keyed with it and the
 * responder's starting hash. Immutable; the device swaps the whole object when the private key changes, so a
 * handshake always sees one consistent identity. The arrays are shared, never modified: callers must not write them.
 */
final class Identity {
    private final byte[] privateKey;
    private final byte[] publicKey;
    private final NodePublicKey publicKeyObject;
    private final CookieChecker cookieChecker;
    private final byte[] responderHash;

    private Identity(
            byte[] privateKey,
            byte[] publicKey,
            NodePublicKey publicKeyObject,
            CookieChecker cookieChecker,
            byte[] responderHash) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.publicKeyObject = publicKeyObject;
        this.cookieChecker = cookieChecker;
        this.responderHash = responderHash;
    }

    /** The identity of {@code privateKey} (clamped here). */
    static Identity of(NodePrivateKey privateKey, Scheduler scheduler, Timings timings) {
        byte[] priv = privateKey.clamped().toRaw();
        NodePublicKey pubKey = NodePrivateKey.fromRaw(priv).publicKey();
        byte[] pub = pubKey.toRaw();
        return new Identity(
                priv, pub, pubKey, new CookieChecker(pub, scheduler, timings), NoiseProtocol.initialHash(pub));
    }

    /** The clamped private key. */
    byte[] privateKey() {
        return privateKey;
    }

    byte[] publicKey() {
        return publicKey;
    }

    NodePublicKey publicKeyObject() {
        return publicKeyObject;
    }

    CookieChecker cookieChecker() {
        return cookieChecker;
    }

    /** HASH(H0 || our public key): the starting hash of a handshake in which we respond. */
    byte[] responderHash() {
        return responderHash;
    }
}
