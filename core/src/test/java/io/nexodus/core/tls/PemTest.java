package io.nexodus.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
    @TempDir
    Path dir;

    private SelfSignedCa ca() throws IOException {
        return SelfSignedCa.loadOrCreate(
                dir.resolve("ca.pem"), dir.resolve("ca-key.pem"), "Test CA", null, Clock.systemUTC());
    }

    @Test
    void certificatesRoundTripInOrderAndSkipOtherBlocks() throws Exception {
        SelfSignedCa ca = ca();
        ServerCertificate leaf = ca.issue(List.of("a.test"), Duration.ofDays(1));
        List<X509Certificate> chain = List.of(leaf.leaf(), ca.certificate());
        String text = "some text before\n" + Pem.encode(chain) + Pem.encode(leaf.key()) + "and after\n";
        assertThat(Pem.parseCertificates(text)).containsExactlyElementsOf(chain);
        Path f = dir.resolve("chain.pem");
        Files.writeString(f, Pem.encode(leaf.key()) + Pem.encode(chain));
        assertThat(Pem.readCertificates(f)).containsExactlyElementsOf(chain);
        assertThat(Pem.readPrivateKey(f)).isEqualTo(leaf.key());
        assertThat(Pem.encode(ca.certificate()))
                .startsWith("-----BEGIN CERTIFICATE-----\n")
                .endsWith("\n-----END CERTIFICATE-----\n")
                .matches("[\\x00-\\x7f]*");
        assertThat(Pem.encode(ca.certificate()).lines().mapToInt(String::length).max())
                .hasValue(64);
    }

    /** Keys as openssl writes them (the files under test resources pem/ were made by openssl 3). */
    @Test
    void readsTheKeyFormatsOpensslWrites() throws Exception {
        PrivateKey sec1 = Pem.readPrivateKey(resource("ec-sec1.key")); // openssl ecparam -genkey: EC PRIVATE KEY
        assertThat(sec1).isInstanceOf(ECPrivateKey.class);
        assertThat(((ECPrivateKey) sec1).getParams().getCurve().getField().getFieldSize())
                .isEqualTo(256);
        PrivateKey pkcs1 = Pem.readPrivateKey(resource("rsa-pkcs1.key")); // openssl genrsa -traditional
        assertThat(pkcs1.getAlgorithm()).isEqualTo("RSA");
        for (PrivateKey k : List.of(
                sec1,
                pkcs1,
                KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate())) {
            Path f = dir.resolve(k.getAlgorithm() + ".key");
            Files.writeString(f, Pem.encode(k)); // PKCS#8
            assertThat(Files.readString(f)).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(Pem.readPrivateKey(f).getEncoded()).as(k.getAlgorithm()).isEqualTo(k.getEncoded());
        }
        assertThatThrownBy(() -> Pem.readPrivateKey(resource("ec-encrypted.key"))) // openssl genpkey -aes256
                .isInstanceOf(IOException.class)
                .hasMessageContaining("encrypted key; decrypt it first");
    }

    private Path resource(String name) throws Exception {
        return Path.of(getClass().getResource("/pem/" + name).toURI());
    }

    @Test
    void badInputGivesTypedErrorsThatSayWhy() throws Exception {
        assertThatThrownBy(() -> Pem.parseCertificates("hello"))
                .isInstanceOf(CertificateException.class)
                .hasMessageContaining("BEGIN CERTIFICATE");
        assertThatThrownBy(
                        () -> Pem.parseCertificates("-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n"))
                .isInstanceOf(CertificateException.class);
        assertThatThrownBy(
                        () -> Pem.parseCertificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
                .isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> Pem.parseCertificates("-----BEGIN CERTIFICATE-----\nAAAA\n"))
                .isInstanceOf(CertificateException.class);
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> Pem.readCertificates(empty))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(empty.toString());
        assertThatThrownBy(() -> Pem.readPrivateKey(empty))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no PEM private key");
    }
}
