package io.nexodus.api.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.key.X25519;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SealedTokenTest {
    @Test
    void sealsAndOpensWithTheDeviceKey() throws Exception {
        NodePrivateKey priv = NodePrivateKey.generate();
        NodePublicKey pub = priv.publicKey();
        String sealed = SealedToken.seal(pub, "DT:secret-token");
        String[] parts = sealed.split(":");
        assertThat(parts).hasSize(3);
        assertThat(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.US_ASCII))
                .isEqualTo("v1");
        assertThat(Base64.getUrlDecoder().decode(parts[1])).hasSize(32);
        assertThat(SealedToken.open(sealed, priv)).isEqualTo("DT:secret-token");
        // fresh ephemeral key each time
        assertThat(SealedToken.seal(pub, "DT:secret-token")).isNotEqualTo(sealed);
    }

    @Test
    void anotherKeyCannotOpen() {
        NodePrivateKey priv = NodePrivateKey.generate();
        String sealed = SealedToken.seal(priv.publicKey(), "DT:x".getBytes(StandardCharsets.UTF_8));
        NodePrivateKey other = NodePrivateKey.generate();
        assertThatThrownBy(() -> SealedToken.open(sealed, other)).isInstanceOf(SealedTokenException.class);
    }

    @Test
    void opensTheUpstreamDerivation() throws Exception {
        // upstream Go seals with shared = X25519(ephemeralPublic, devicePublic); build such a token by hand
        NodePrivateKey devPriv = NodePrivateKey.generate();
        byte[] devPub = devPriv.publicKey().toRaw();
        byte[] epk = X25519.publicKey(X25519.generatePrivate());
        byte[] key = SealedToken.key(X25519.sharedSecret(epk, devPub), epk, devPub);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, new byte[12]));
        byte[] ct = c.doFinal("DT:upstream".getBytes(StandardCharsets.UTF_8));
        Base64.Encoder e = Base64.getUrlEncoder();
        String sealed = e.encodeToString("v1".getBytes(StandardCharsets.US_ASCII)) + ":" + e.encodeToString(epk) + ":"
                + e.encodeToString(ct);
        assertThat(SealedToken.open(sealed, devPriv)).isEqualTo("DT:upstream");
    }

    @Test
    void rejectsMalformedInput() {
        NodePrivateKey priv = NodePrivateKey.generate();
        assertThatThrownBy(() -> SealedToken.open("abc", priv)).isInstanceOf(SealedTokenException.class);
        assertThatThrownBy(() -> SealedToken.open("djI=:***:xx", priv)).isInstanceOf(SealedTokenException.class);
        String v2 = Base64.getUrlEncoder().encodeToString("v2".getBytes(StandardCharsets.US_ASCII)) + ":AAAA:AAAA";
        assertThatThrownBy(() -> SealedToken.open(v2, priv)).hasMessageContaining("unsupported");
        // a small-order ephemeral key (all zero) is refused like any token not sealed to us
        Base64.Encoder e = Base64.getUrlEncoder();
        String lowOrder = e.encodeToString("v1".getBytes(StandardCharsets.US_ASCII)) + ":"
                + e.encodeToString(new byte[32]) + ":" + e.encodeToString(new byte[32]);
        assertThatThrownBy(() -> SealedToken.open(lowOrder, priv))
                .isInstanceOf(SealedTokenException.class)
                .hasMessageContaining("not sealed to this key");
        assertThatThrownBy(() -> SealedToken.seal(NodePublicKey.fromRaw(new byte[32]), "DT:x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
