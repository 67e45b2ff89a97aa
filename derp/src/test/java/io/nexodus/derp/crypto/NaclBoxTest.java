package io.nexodus.derp.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NaclBoxTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    /** golang.org/x/crypto/nacl/box TestBox, the published vector. */
    @Test
    void matchesGoNaclBoxVector() throws Exception {
        NodePrivateKey sk1 = NodePrivateKey.fromRaw(filled(32, 1));
        NodePrivateKey sk2 = NodePrivateKey.fromRaw(filled(32, 2));
        assertThat(sk1.publicKey().toHex())
                .isEqualTo("a4e09292b651c278b9772c569f5fa9bb13d906b46ab68c9df9dc2b4409f8a209");

        byte[] box = NaclBox.seal(filled(64, 3), filled(24, 4), sk1.publicKey(), sk2);
        assertThat(HEX.formatHex(box))
                .isEqualTo(
                        "78ea30b19d2341ebbdba54180f821eec265cf86312549bea8a37652a8bb94f07"
                                + "b78a73ed1708085e6ddd0e943bbdeb8755079a37eb31d86163ce241164a47629c0539f330b4914cd135b3855bc2a2dfc");
        assertThat(HEX.formatHex(NaclBox.sharedKey(sk2, sk1.publicKey())))
                .isEqualTo("18a99320f3488fa18a04239715d8ee738065e65c3d4b2898522d6c3d4ead588c");
        // Either side derives the same key and opens it.
        assertThat(NaclBox.open(box, filled(24, 4), sk2.publicKey(), sk1))
                .hasValueSatisfying(m -> assertThat(m).isEqualTo(filled(64, 3)));
    }

    @Test
    void tamperedBoxOrWrongKeyDoesNotOpen() throws Exception {
        NodePrivateKey a = NodePrivateKey.generate();
        NodePrivateKey b = NodePrivateKey.generate();
        byte[] sealed = NaclBox.sealTo(a, b.publicKey(), "hello".getBytes(StandardCharsets.UTF_8), new Random(1));
        assertThat(NaclBox.openFrom(b, a.publicKey(), sealed))
                .hasValueSatisfying(
                        m -> assertThat(new String(m, StandardCharsets.UTF_8)).isEqualTo("hello"));
        byte[] bad = sealed.clone();
        bad[bad.length - 1] ^= 1;
        assertThat(NaclBox.openFrom(b, a.publicKey(), bad)).isEmpty();
        assertThat(NaclBox.openFrom(b, NodePrivateKey.generate().publicKey(), sealed))
                .isEmpty();
        assertThat(NaclBox.openFrom(b, a.publicKey(), new byte[10])).isEmpty();
    }

    /** The same box built by libsodium through PyNaCl (Debian python3-nacl), in both directions. */
    @Test
    void interoperatesWithLibsodium(@TempDir Path dir) throws Exception {
        NodePrivateKey javaKey = NodePrivateKey.generate();
        NodePrivateKey pyKey = NodePrivateKey.generate();
        byte[] message = "{\"version\":2,\"CanAckPings\":true}".getBytes(StandardCharsets.UTF_8);
        byte[] fromJava = NaclBox.sealTo(javaKey, pyKey.publicKey(), message, new SecureRandom());

        Path script = dir.resolve("box.py");
        Files.writeString(script, """
                import sys
                from nacl.public import PrivateKey, PublicKey, Box
                py_sk = PrivateKey(bytes.fromhex(sys.argv[1]))
                java_pk = PublicKey(bytes.fromhex(sys.argv[2]))
                box = Box(py_sk, java_pk)
                sealed = bytes.fromhex(sys.argv[3])
                plain = box.decrypt(sealed[24:], sealed[:24])
                nonce = bytes(range(24))
                reply = box.encrypt(plain + b"!", nonce)
                print(plain.hex())
                print(reply.hex())
                """);
        Process p = new ProcessBuilder(
                        pythonWithNacl(),
                        script.toString(),
                        HEX.formatHex(pyKey.toRaw()),
                        javaKey.publicKey().toHex(),
                        HEX.formatHex(fromJava))
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList();
        assertThat(p.exitValue()).as(String.join("\n", out)).isZero();
        assertThat(out.get(0)).isEqualTo(HEX.formatHex(message));
        Optional<byte[]> reply = NaclBox.openFrom(javaKey, pyKey.publicKey(), HEX.parseHex(out.get(1)));
        assertThat(reply)
                .hasValueSatisfying(m -> assertThat(new String(m, StandardCharsets.UTF_8))
                        .isEqualTo("{\"version\":2,\"CanAckPings\":true}!"));
    }

    private static String pythonWithNacl() throws Exception {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import nacl.public")
                        .redirectErrorStream(true)
                        .start();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException ignored) {
                // try the next one
            }
        }
        throw new AssertionError("no python3 with PyNaCl: install the Debian package python3-nacl (see .ci/run)");
    }

    @Test
    void keyTextFormsRoundTrip() {
        NodePrivateKey k = NodePrivateKey.generate();
        assertThat(NodePrivateKey.parse(k.toText())).isEqualTo(k);
        assertThat(k.toString()).doesNotContain(k.toText().substring(8));
        NodePublicKey pub = k.publicKey();
        assertThat(NodePublicKey.parse(pub.toString())).isEqualTo(pub);
        assertThat(NodePublicKey.fromHex(pub.toHex())).isEqualTo(pub);
        assertThat(NodePublicKey.fromBase64(pub.toBase64())).isEqualTo(pub);
    }

    @Test
    void meshKeyComparesByValue() {
        String hex = "6d529e9d4ef632d22d4a4214cb49da8f1ba1b72697061fb24e312984c35ec8d8";
        assertThat(MeshKey.parse(hex + "\n").matches(MeshKey.parse(hex))).isTrue();
        assertThat(MeshKey.parse(hex).matches(MeshKey.parse(hex.replace('6', '7'))))
                .isFalse();
        assertThat(MeshKey.parse(hex).toString()).doesNotContain(hex);
        Assertions.assertThatThrownBy(() -> MeshKey.parse("abcdefg")).isInstanceOf(IllegalArgumentException.class);
    }
}
