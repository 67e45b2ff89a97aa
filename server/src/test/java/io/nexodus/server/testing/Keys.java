package io.nexodus.server.testing;

import io.nexodus.api.crypto.WireGuardKeys;

/** A WireGuard key pair for a simulated device. */
public record Keys(String privateKey, String publicKey) {
    public static Keys generate() {
        byte[] priv = WireGuardKeys.generatePrivateKey();
        return new Keys(WireGuardKeys.toBase64(priv), WireGuardKeys.toBase64(WireGuardKeys.publicKey(priv)));
    }
}
