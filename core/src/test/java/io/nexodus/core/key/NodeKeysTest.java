package io.nexodus.core.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The text forms, their parse errors, and what the private key never shows. */
class NodeKeysTest {
    private final NodePrivateKey priv = NodePrivateKey.generate(new SplittableRandom(42));
    private final NodePublicKey pub = priv.publicKey();

    @Test
    void everyTextFormRoundTrips() {
        assertThat(NodePrivateKey.fromBase64(priv.toBase64())).isEqualTo(priv);
        assertThat(NodePrivateKey.fromHex(priv.toHex())).isEqualTo(priv);
        assertThat(NodePrivateKey.parse(priv.toText())).isEqualTo(priv);
        assertThat(priv.toText()).startsWith("privkey:").hasSize(8 + 64);
        assertThat(NodePrivateKey.fromRaw(priv.toRaw())).isEqualTo(priv);

        assertThat(NodePublicKey.fromBase64(pub.toBase64())).isEqualTo(pub);
        assertThat(NodePublicKey.fromHex(pub.toHex())).isEqualTo(pub);
        assertThat(NodePublicKey.fromHex(pub.toHex().toUpperCase(Locale.ROOT))).isEqualTo(pub);
        assertThat(NodePublicKey.parse(pub.toString())).isEqualTo(pub);
        assertThat(pub.toString()).isEqualTo("nodekey:" + pub.toHex());
        assertThat(pub.shortString()).isEqualTo("[" + pub.toBase64().substring(0, 5) + "]");
        byte[] buf = new byte[40];
        pub.copyTo(buf, 8);
        assertThat(NodePublicKey.fromRaw(buf, 8)).isEqualTo(pub);
        assertThat(NodePublicKey.fromBase64(" " + pub.toBase64() + "\n")).isEqualTo(pub);
    }

    @Test
    void parseErrorsNameTheFormAndNeverTheInput() {
        String b64 = priv.toBase64();
        assertThatThrownBy(() -> NodePrivateKey.fromBase64(b64.substring(0, 43))) // padding dropped
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("44 base64 characters")
                .hasMessageNotContaining(b64.substring(0, 20));
        assertThatThrownBy(() -> NodePrivateKey.fromBase64("*" + b64.substring(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid base64")
                .hasMessageNotContaining(b64.substring(1, 20));
        assertThatThrownBy(() -> NodePublicKey.fromBase64(Base64.getEncoder().encodeToString(new byte[31])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodePublicKey.fromBase64("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodePrivateKey.fromHex(priv.toHex().substring(1)))
                .hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> NodePrivateKey.fromHex("g" + priv.toHex().substring(1)))
                .hasMessageContaining("not a hex digit");
        assertThatThrownBy(() -> NodePublicKey.fromHex("٠".repeat(64))) // Arabic-Indic zeros are not hex
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodePublicKey.parse(pub.toHex())).hasMessageContaining("nodekey:");
        assertThatThrownBy(() -> NodePrivateKey.parse("nodekey:" + priv.toHex()))
                .hasMessageContaining("privkey:");
        assertThatThrownBy(() -> NodePublicKey.fromRaw(new byte[31])).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> NodePublicKey.fromRaw(new byte[40], 9)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(NodePublicKey.isValidBase64(pub.toBase64())).isTrue();
        assertThat(NodePublicKey.isValidBase64("not a key")).isFalse();
        assertThat(NodePublicKey.isValidBase64(null)).isFalse();
        assertThat(NodePublicKey.isValidBase64(pub.toBase64().substring(0, 43))).isFalse();
    }

    @Test
    void thePrivateKeyIsNeverPrintedAndComparedInConstantTime() {
        assertThat(priv.toString())
                .isEqualTo("NodePrivateKey[public=" + pub + "]")
                .doesNotContain(priv.toHex())
                .doesNotContain(priv.toBase64());
        assertThat(NodePrivateKey.fromRaw(new byte[32]).toString()).isEqualTo("NodePrivateKey[zero]");
        NodePrivateKey other = NodePrivateKey.generate(new SplittableRandom(43));
        assertThat(other).isNotEqualTo(priv);
        assertThat(other.hashCode()).isEqualTo(priv.hashCode()); // no key bits in the hash
        // secrets of another kind are never equal, even with the same bytes
        SecretKeyBytes sameBytes = new SecretKeyBytes(priv.toRaw()) {};
        assertThat(sameBytes).isNotEqualTo(priv);
        assertThat(priv).isNotEqualTo(sameBytes);
        assertThat(NodePrivateKey.fromRaw(priv.toRaw())).isEqualTo(priv);
    }

    @Test
    void zeroClampAndPublicKeyFollowWireGuard() {
        NodePrivateKey zero = NodePrivateKey.fromRaw(new byte[32]);
        assertThat(zero.isZero()).isTrue();
        assertThat(priv.isZero()).isFalse();
        assertThat(priv.clamped()).isEqualTo(priv); // generated keys are clamped
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xff);
        NodePrivateKey unclamped = NodePrivateKey.fromRaw(ones);
        assertThat(unclamped.clamped()).isNotEqualTo(unclamped);
        assertThat(unclamped.clamped().publicKey()).isEqualTo(unclamped.publicKey());
        assertThat(NodePublicKey.fromRaw(new byte[32]).isZero()).isTrue();
        assertThat(pub.isZero()).isFalse();
    }

    @Test
    void publicKeysOrderAndHashByValue() {
        NodePublicKey a = NodePublicKey.fromHex("00".repeat(31) + "01");
        NodePublicKey b = NodePublicKey.fromHex("00".repeat(31) + "ff");
        assertThat(a).isLessThan(b); // unsigned
        assertThat(NodePublicKey.fromHex(a.toHex())).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(a.toRaw()).isNotSameAs(a.toRaw());
    }
}
