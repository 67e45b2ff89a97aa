package io.nexodus.derp.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/** Raw X25519 (RFC 7748) on 32-byte little-endian strings, done by the JDK's XDH provider. */
final class X25519 {
    static final byte[] BASE_POINT = new byte[32];

    static {
        BASE_POINT[0] = 9;
    }

    private X25519() {}

    /**
     * X25519(scalar, u). The JDK clamps the scalar as RFC 7748 requires. Throws {@link InvalidKeyException} when the
     * result is all zeros (a low-order point), which Go does not check; refusing such a peer is harmless.
     */
    static byte[] scalarMult(byte[] scalar, byte[] u) throws InvalidKeyException {
        try {
            KeyFactory kf = KeyFactory.getInstance("XDH");
            PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
            byte[] bigEndian = new byte[32];
            for (int i = 0; i < 32; i++) {
                bigEndian[i] = u[31 - i];
            }
            bigEndian[0] &= 0x7f; // RFC 7748: the top bit of the u-coordinate is ignored
            PublicKey pub =
                    kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian)));
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(priv);
            ka.doPhase(pub, true);
            return ka.generateSecret();
        } catch (InvalidKeyException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no X25519", e);
        }
    }
}
