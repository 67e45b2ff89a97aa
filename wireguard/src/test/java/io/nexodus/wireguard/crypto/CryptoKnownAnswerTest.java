package io.nexodus.wireguard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.junit.jupiter.api.Test;

/** Known-answer tests from the published vectors (sources named on each test). */
class CryptoKnownAnswerTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SUNSCREEN =
            ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
                            + "for the future, sunscreen would be it.")
                    .getBytes(StandardCharsets.US_ASCII);

    static byte[] h(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    static byte[] range(int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    void blake2sAbcFromRfc7693AppendixB() {
        assertThat(HEX.formatHex(Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
    }

    /** RFC 7693 Appendix E: hashes of generated inputs, unkeyed and keyed, for digest lengths 16, 20, 28, 32. */
    @Test
    void blake2sSelfTestFromRfc7693AppendixE() {
        Blake2sDigest grand = new Blake2sDigest(256);
        for (int outlen : new int[] {16, 20, 28, 32}) {
            for (int inlen : new int[] {0, 3, 64, 65, 255, 1024}) {
                byte[] in = selftestSeq(inlen, inlen);
                byte[] unkeyed = Blake2s.keyed(new byte[0], outlen, in);
                grand.update(unkeyed, 0, unkeyed.length);
                byte[] keyed = Blake2s.keyed(selftestSeq(outlen, outlen), outlen, in);
                grand.update(keyed, 0, keyed.length);
            }
        }
        byte[] out = new byte[32];
        grand.doFinal(out, 0);
        assertThat(HEX.formatHex(out)).isEqualTo("6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe");
    }

    private static byte[] selftestSeq(int len, int seed) {
        int a = 0xDEAD4BAD * seed;
        int b = 1;
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            int t = a + b;
            a = b;
            b = t;
            out[i] = (byte) (t >>> 24);
        }
        return out;
    }

    /** BLAKE2 reference repository, testvectors/blake2s-kat.txt, first keyed entry (key 00..1f, empty input). */
    @Test
    void keyedBlake2sFromReferenceKat() {
        assertThat(HEX.formatHex(Blake2s.keyed(range(0, 32), 32, new byte[0])))
                .isEqualTo("48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49");
    }

    @Test
    void macIsKeyedBlake2sWith16ByteDigestNotATruncatedHash() {
        byte[] key = range(0, 32);
        byte[] data = "x".getBytes(StandardCharsets.US_ASCII);
        byte[] mac = Blake2s.mac(key, data, 0, data.length);
        assertThat(mac).hasSize(16).isEqualTo(Blake2s.keyed(key, 16, data));
        assertThat(mac).isNotEqualTo(Arrays.copyOf(Blake2s.keyed(key, 32, data), 16));
    }

    /** wireguard-go device/kdf_test.go, first case ("test-key", "test-input"). */
    @Test
    void kdfFromWireguardGoVectors() {
        byte[] key = "test-key".getBytes(StandardCharsets.US_ASCII);
        byte[] input = "test-input".getBytes(StandardCharsets.US_ASCII);
        String t0 = "6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633";
        String t1 = "df1194df20802a4fe594cde27e92991c8cae66c366e8106aaa937a55fa371e8a";
        String t2 = "fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24";
        assertThat(HEX.formatHex(Kdf.kdf1(key, input))).isEqualTo(t0);
        byte[][] two = Kdf.kdf2(key, input);
        assertThat(HEX.formatHex(two[0])).isEqualTo(t0);
        assertThat(HEX.formatHex(two[1])).isEqualTo(t1);
        byte[][] three = Kdf.kdf3(key, input);
        assertThat(HEX.formatHex(three[0])).isEqualTo(t0);
        assertThat(HEX.formatHex(three[1])).isEqualTo(t1);
        assertThat(HEX.formatHex(three[2])).isEqualTo(t2);
    }

    /** RFC 8439 §2.8.2 through the JDK cipher (that vector's nonce is not in WireGuard's form). */
    @Test
    void chacha20Poly1305FromRfc8439() throws Exception {
        byte[] key = range(0x80, 0xa0);
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(
                Cipher.ENCRYPT_MODE,
                new SecretKeySpec(key, "ChaCha20"),
                new IvParameterSpec(h("070000004041424344454647")));
        c.updateAAD(h("50515253c0c1c2c3c4c5c6c7"));
        byte[] out = c.doFinal(SUNSCREEN);
        assertThat(HEX.formatHex(out))
                .isEqualTo("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                        + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58"
                        + "fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
                        + "1ae10b594f09e26a7e902ecbd0600691");
    }

    @Test
    void wireGuardNonceIsFourZerosThenLittleEndianCounter() {
        assertThat(HEX.formatHex(ChaCha20Poly1305.nonce(0x0807060504030201L))).isEqualTo("000000000102030405060708");
    }

    @Test
    void sealOpenRoundTripAndTamperDetection() {
        byte[] key = range(1, 33);
        byte[] ad = "ad".getBytes(StandardCharsets.US_ASCII);
        byte[] ct = ChaCha20Poly1305.seal(key, 7, SUNSCREEN, ad);
        assertThat(ChaCha20Poly1305.open(key, 7, ct, ad)).isEqualTo(SUNSCREEN);
        assertThat(ChaCha20Poly1305.open(key, 8, ct, ad)).isNull();
        ct[3] ^= 1;
        assertThat(ChaCha20Poly1305.open(key, 7, ct, ad)).isNull();
    }

    @Test
    void transportCipherWorksInPlaceAndMatchesOneShot() {
        byte[] key = range(1, 33);
        TransportCipher tc = new TransportCipher();
        byte[] buf = new byte[16 + SUNSCREEN.length + 16];
        System.arraycopy(SUNSCREEN, 0, buf, 16, SUNSCREEN.length);
        int n = tc.seal(TransportCipher.key(key), 42, buf, 16, SUNSCREEN.length);
        assertThat(n).isEqualTo(SUNSCREEN.length + 16);
        assertThat(Arrays.copyOfRange(buf, 16, 16 + n)).isEqualTo(ChaCha20Poly1305.seal(key, 42, SUNSCREEN, null));
        assertThat(tc.open(TransportCipher.key(key), 41, buf.clone(), 16, n)).isEqualTo(-1);
        int p = tc.open(TransportCipher.key(key), 42, buf, 16, n);
        assertThat(p).isEqualTo(SUNSCREEN.length);
        assertThat(Arrays.copyOfRange(buf, 16, 16 + p)).isEqualTo(SUNSCREEN);
    }

    /** draft-irtf-cfrg-xchacha-03 §2.2.1. */
    @Test
    void hchacha20FromDraftXChaCha() {
        assertThat(HEX.formatHex(HChaCha20.subkey(range(0, 32), h("000000090000004a0000000031415927"), 0)))
                .isEqualTo("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
    }

    /** draft-irtf-cfrg-xchacha-03 Appendix A.3.1. */
    @Test
    void xchacha20Poly1305FromDraftXChaCha() {
        byte[] key = range(0x80, 0xa0);
        byte[] nonce = h("404142434445464748494a4b4c4d4e4f5051525354555657");
        byte[] ad = h("50515253c0c1c2c3c4c5c6c7");
        byte[] ct = XChaCha20Poly1305.seal(key, nonce, SUNSCREEN, ad);
        assertThat(HEX.formatHex(ct))
                .isEqualTo("bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
                        + "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e"
                        + "3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e"
                        + "c0875924c1c7987947deafd8780acf49");
        assertThat(XChaCha20Poly1305.open(key, nonce, ct, ad)).isEqualTo(SUNSCREEN);
        ct[0] ^= 1;
        assertThat(XChaCha20Poly1305.open(key, nonce, ct, ad)).isNull();
    }

    // X25519 (RFC 7748 vectors, small-order points) and the key encodings are tested where they live:
    // core's X25519Test and NodeKeysTest.

    @Test
    void tai64nMatchesWireguardGoLayoutAndOrdering() {
        Instant t = Instant.ofEpochSecond(1_795_417_402L, 0x1f123456);
        byte[] ts = Tai64n.of(t);
        assertThat(HEX.formatHex(ts))
                .isEqualTo(String.format("%016x", 0x400000000000000aL + 1_795_417_402L) + "1f000000");
        assertThat(Tai64n.after(Tai64n.of(t.plusMillis(20)), ts)).isTrue();
        assertThat(Tai64n.after(ts, ts)).isFalse();
    }

    @Test
    void presharedKeyEncodingsRoundTripAndNeverPrint() {
        PresharedKey k = PresharedKey.generate();
        assertThat(PresharedKey.fromBase64(k.toBase64())).isEqualTo(k);
        assertThat(PresharedKey.fromHex(k.toHex())).isEqualTo(k);
        assertThat(PresharedKey.fromRaw(k.toRaw())).isEqualTo(k).hasSameHashCodeAs(PresharedKey.none());
        assertThat(k.toString()).doesNotContain(k.toHex()).doesNotContain(k.toBase64());
        assertThat(PresharedKey.none().isZero()).isTrue();
        assertThat(k.isZero()).isFalse();
        assertThatThrownBy(() -> PresharedKey.fromHex("00")).hasMessageContaining("preshared key");
    }

    @Test
    void wireGuardProtocolConstantsHashAsDocumented() {
        byte[] c0 = Blake2s.hash("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".getBytes(StandardCharsets.US_ASCII));
        assertThat(HEX.formatHex(c0)).isEqualTo("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
        byte[] h0 = Blake2s.hash(c0, "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII));
        assertThat(HEX.formatHex(h0)).isEqualTo("2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
    }
}
