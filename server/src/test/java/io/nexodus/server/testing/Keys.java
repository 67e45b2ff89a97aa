package io.nexodus.server.testing;

import io.nexodus.core.key.NodePrivateKey;

/** A WireGuard key pair for a simulated device: the private key, and the public key as the API carries it. */
public record Keys(NodePrivateKey privateKey, String publicKey) {
    public static Keys generate() {
        NodePrivateKey priv = NodePrivateKey.generate();
        return new Keys(priv, priv.publicKey().toBase64());
    }
}
