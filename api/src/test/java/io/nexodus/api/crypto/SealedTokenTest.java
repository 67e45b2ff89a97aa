package io.nexodus.api.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SealedTokenTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void x25519MatchesRfc7748Vectors() {
        // RFC 7748 §6.1 (Alice/Bob)
        byte[] alicePriv = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] alicePub = HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        byte[] bobPriv = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] bobPub = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        assertThat(WireGuardKeys.publicKey(alicePriv)).isEqualTo(alicePub);
        assertThat(WireGuardKeys.publicKey(bobPriv)).isEqualTo(bobPub);
        byte[] ab = WireGuardKeys.x25519(alicePriv, bobPub);
        assertThat(ab).isEqualTo(WireGuardKeys.x25519(bobPriv, alicePub));
        assertThat(HEX.formatHex(ab)).isEqualTo("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    }

    @Test
    void sealsAndOpensWithTheDeviceKey() throws Exception {
        byte[] priv = WireGuardKeys.generatePrivateKey();
        String pub = WireGuardKeys.toBase64(WireGuardKeys.publicKey(priv));
        String sealed = SealedToken.seal(pub, "DT:secret-token");
        String[] parts = sealed.split(":");
        assertThat(parts).hasSize(3);
        assertThat(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.US_ASCII))
                .isEqualTo("v1");
        assertThat(Base64.getUrlDecoder().decode(parts[1])).hasSize(32);
        assertThat(SealedToken.open(sealed, WireGuardKeys.toBase64(priv))).isEqualTo("DT:secret-token");
        // fresh ephemeral key each time
        assertThat(SealedToken.seal(pub, "DT:secret-token")).isNotEqualTo(sealed);
    }

    @Test
    void anotherKeyCannotOpen() {
        byte[] priv = WireGuardKeys.generatePrivateKey();
        String sealed = SealedToken.seal(WireGuardKeys.publicKey(priv), "DT:x".getBytes(StandardCharsets.UTF_8));
        byte[] other = WireGuardKeys.generatePrivateKey();
        assertThatThrownBy(() -> SealedToken.open(sealed, other)).isInstanceOf(SealedTokenException.class);
    }

    @Test
    void opensTheUpstreamDerivation() throws Exception {
        // upstream Go seals with shared = X25519(ephemeralPublic, devicePublic); build such a token by hand
        byte[] devPriv = WireGuardKeys.generatePrivateKey();
        byte[] devPub = WireGuardKeys.publicKey(devPriv);
        byte[] epk = WireGuardKeys.publicKey(WireGuardKeys.generatePrivateKey());
        byte[] key = SealedToken.key(WireGuardKeys.x25519(epk, devPub), epk, devPub);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, new byte[12]));
        byte[] ct = c.doFinal("DT:upstream".getBytes(StandardCharsets.UTF_8));
        Base64.Encoder e = Base64.getUrlEncoder();
        String sealed = e.encodeToString("v1".getBytes()) + ":" + e.encodeToString(epk) + ":" + e.encodeToString(ct);
        assertThat(new String(SealedToken.open(sealed, devPriv), StandardCharsets.UTF_8))
                .isEqualTo("DT:upstream");
    }

    @Test
    void rejectsMalformedInput() {
        byte[] priv = WireGuardKeys.generatePrivateKey();
        assertThatThrownBy(() -> SealedToken.open("abc", priv)).isInstanceOf(SealedTokenException.class);
        assertThatThrownBy(() -> SealedToken.open("djI=:***:xx", priv)).isInstanceOf(SealedTokenException.class);
        String v2 = Base64.getUrlEncoder().encodeToString("v2".getBytes()) + ":AAAA:AAAA";
        assertThatThrownBy(() -> SealedToken.open(v2, priv)).hasMessageContaining("unsupported");
    }

    @Test
    void parsesWireGuardKeyText() {
        assertThat(WireGuardKeys.isValid(WireGuardKeys.toBase64(new byte[32]))).isTrue();
        assertThat(WireGuardKeys.isValid("not a key")).isFalse();
        assertThat(WireGuardKeys.isValid(Base64.getEncoder().encodeToString(new byte[31])))
                .isFalse();
    }
}
