package io.nexodus.core.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.InvalidKeyException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** RFC 7748 vectors and the one rule for small-order points. */
class X25519Test {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * The small-order u-coordinates (libsodium's list): 0, 1, two points of order 8, p-1, and the non-canonical p and
     * p+1. Each also with the ignored top bit set.
     */
    static final List<String> SMALL_ORDER = List.of(
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0000000000000000000000000000000000000000000000000000000000000080",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");

    private static byte[] h(String hex) {
        return HEX.parseHex(hex);
    }

    /** RFC 7748 §5.2: two single multiplications, then the iterated one (1 and 1000 times). */
    @Test
    void scalarMultiplicationMatchesRfc7748Section5() throws InvalidKeyException {
        assertThat(HEX.formatHex(X25519.sharedSecret(
                        h("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                        h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))))
                .isEqualTo("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        // the second vector's u has its top bit set, which must be ignored
        assertThat(HEX.formatHex(X25519.sharedSecret(
                        h("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                        h("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"))))
                .isEqualTo("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
        byte[] k = new byte[32];
        k[0] = 9;
        byte[] u = k.clone();
        for (int i = 1; i <= 1000; i++) {
            byte[] r = X25519.sharedSecret(k, u);
            u = k;
            k = r;
            if (i == 1) {
                assertThat(HEX.formatHex(k))
                        .isEqualTo("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
            }
        }
        assertThat(HEX.formatHex(k)).isEqualTo("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
    }

    /** RFC 7748 §6.1: Alice and Bob, through the typed keys. */
    @Test
    void diffieHellmanMatchesRfc7748Section6() throws InvalidKeyException {
        NodePrivateKey alice =
                NodePrivateKey.fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        NodePrivateKey bob = NodePrivateKey.fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        assertThat(alice.publicKey().toHex())
                .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(bob.publicKey().toHex())
                .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertThat(HEX.formatHex(alice.sharedSecret(bob.publicKey()))).isEqualTo(shared);
        assertThat(HEX.formatHex(bob.sharedSecret(alice.publicKey()))).isEqualTo(shared);
        assertThat(HEX.formatHex(X25519.publicKey(alice.toRaw())))
                .isEqualTo(alice.publicKey().toHex());
    }

    @Test
    void everySmallOrderPointIsRefusedWithInvalidKeyException() {
        NodePrivateKey priv = NodePrivateKey.generate(new SplittableRandom(7));
        for (String point : SMALL_ORDER) {
            assertThatThrownBy(() -> X25519.sharedSecret(priv.toRaw(), h(point)))
                    .as(point)
                    .isInstanceOf(InvalidKeyException.class)
                    .hasMessageContaining("small-order");
            assertThatThrownBy(() -> priv.sharedSecret(NodePublicKey.fromHex(point)))
                    .as(point)
                    .isInstanceOf(InvalidKeyException.class);
        }
    }

    @Test
    void clampingClearsAndSetsTheRfcBits() throws InvalidKeyException {
        byte[] ones = h("ff".repeat(32));
        byte[] clamped = ones.clone();
        X25519.clamp(clamped);
        assertThat(clamped[0]).isEqualTo((byte) 0xf8);
        assertThat(clamped[31]).isEqualTo((byte) 0x7f);
        // X25519 clamps by itself: the unclamped and the clamped scalar agree on everything
        byte[] peer = X25519.publicKey(X25519.generatePrivate());
        assertThat(X25519.sharedSecret(ones, peer)).isEqualTo(X25519.sharedSecret(clamped, peer));
        assertThat(X25519.generatePrivate(new SplittableRandom(1))).satisfies(k -> {
            assertThat(k[0] & 7).isZero();
            assertThat(k[31] & 0xc0).isEqualTo(0x40);
        });
    }

    @Test
    void wrongLengthsAreProgrammingErrors() {
        assertThatThrownBy(() -> X25519.sharedSecret(new byte[31], new byte[32]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> X25519.publicKey(new byte[33])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> X25519.clamp(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
