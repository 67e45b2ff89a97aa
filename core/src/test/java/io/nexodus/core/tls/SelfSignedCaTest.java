package io.nexodus.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCaTest {
    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");

    @TempDir
    Path dir;

    private SelfSignedCa ca(Clock clock) throws Exception {
        return SelfSignedCa.loadOrCreate(dir.resolve("ca.crt"), dir.resolve("ca.key"), "Test CA", "Nexodus", clock);
    }

    @Test
    void theCaIsCreatedOnceWithItsKeyOwnerOnlyAndReloaded() throws Exception {
        SelfSignedCa first = ca(Clock.fixed(NOW, ZoneOffset.UTC));
        X509Certificate c = first.certificate();
        assertThat(c.getSubjectX500Principal().getName()).isEqualTo("O=Nexodus,CN=Test CA");
        assertThat(c.getBasicConstraints()).isZero();
        assertThat(c.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        assertThat(c.getNotAfter().toInstant()).isEqualTo(NOW.plus(SelfSignedCa.CA_VALIDITY));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.crt"))))
                .isEqualTo("rw-r--r--");
        assertThat(first.certificateFile()).isEqualTo(dir.resolve("ca.crt"));
        SelfSignedCa again = ca(Clock.systemUTC());
        assertThat(again.certificate()).isEqualTo(c);
        assertThat(again.signed(
                        first.issue(List.of("x.test"), Duration.ofDays(1)).leaf()))
                .isTrue();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.crt", "ca.key");
        }
    }

    @Test
    void issuedCertificatesCoverTheirNamesAndNoOthers() throws Exception {
        SelfSignedCa ca = ca(Clock.fixed(NOW, ZoneOffset.UTC));
        ServerCertificate issued =
                ca.issue(List.of("relay.example.test", "10.1.2.3", "::1", "*.wild.test"), Duration.ofDays(397));
        X509Certificate leaf = issued.leaf();
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=relay.example.test");
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(397)));
        assertThat(ca.signed(leaf)).isTrue();
        assertThat(CertificateNames.covers(leaf, "relay.example.test")).isTrue();
        assertThat(CertificateNames.covers(leaf, "RELAY.example.test")).isTrue();
        assertThat(CertificateNames.covers(leaf, "10.1.2.3")).isTrue();
        assertThat(CertificateNames.covers(leaf, "0:0:0:0:0:0:0:1")).isTrue();
        assertThat(CertificateNames.covers(leaf, "[::1]")).isTrue();
        assertThat(CertificateNames.covers(leaf, "a.wild.test")).isTrue();
        assertThat(CertificateNames.covers(leaf, "a.b.wild.test")).isFalse();
        assertThat(CertificateNames.covers(leaf, "other.test")).isFalse();
        assertThat(CertificateNames.covers(leaf, "10.1.2.4")).isFalse();
        SelfSignedCa stranger = SelfSignedCa.loadOrCreate(
                dir.resolve("o.crt"), dir.resolve("o.key"), "Test CA", "Nexodus", Clock.systemUTC());
        assertThat(stranger.signed(leaf)).isFalse(); // same subject name, other key
    }

    /** The whole path: CA files → issued certificate → a TLS server; a client trusting the CA file verifies the IP. */
    @Test
    void aClientTrustingTheCaFileCompletesAHandshakeWithHostnameCheck() throws Exception {
        SelfSignedCa ca = ca(Clock.systemUTC());
        ServerCertificate issued = ca.issue(List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        SSLContext server = issued.serverContext();
        assertThat(issued.toString()).isEqualTo("ServerCertificate[CN=localhost, chain of 1]");
        SSLContext client = TrustBundles.trusting(ca.certificateFile());
        try (SSLServerSocket ss = (SSLServerSocket)
                server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                try (var s = ss.accept();
                        InputStream in = s.getInputStream()) {
                    return in.read();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()), 5000);
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                p.setServerNames(List.of(new SNIHostName("localhost")));
                s.setSSLParameters(p);
                s.startHandshake();
                try (OutputStream out = s.getOutputStream()) {
                    out.write(42);
                    out.flush();
                    assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo(42);
                }
            }
        }
    }

    @Test
    void trustBundlesAddToTheJdkDefaultsOrStandAlone() throws Exception {
        SelfSignedCa ca = ca(Clock.systemUTC());
        List<X509Certificate> jdk = TrustBundles.jdkDefaultCas();
        assertThat(jdk).isNotEmpty();
        assertThat(TrustBundles.trustManager(List.of(ca.certificate())).getAcceptedIssuers())
                .containsExactly(ca.certificate());
        ServerCertificate leaf = ca.issue(List.of("a.test"), Duration.ofDays(1));
        assertThat(TrustBundles.trustedByJdkDefaults(List.of(leaf.leaf(), ca.certificate())))
                .isFalse();
        assertThat(TrustBundles.trustingJdkDefaultsAnd(List.of(ca.certificate())))
                .isNotNull();
    }
}
