package io.nexodus.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustBundlesTest {
    @TempDir
    Path dir;

    private SelfSignedCa ca(String name) throws IOException {
        return SelfSignedCa.loadOrCreate(
                dir.resolve(name + ".pem"), dir.resolve(name + ".key"), name, null, Clock.systemUTC());
    }

    private static X509Certificate[] chain(ServerCertificate c) {
        return c.chain().toArray(X509Certificate[]::new);
    }

    @Test
    void aChainOfTheExtraCaIsJudgedByItAloneWithoutReadingTheDefaults() throws Exception {
        SelfSignedCa mine = ca("mine");
        AtomicInteger reads = new AtomicInteger();
        var tm = new TrustBundles.ExtraThenJdkDefaults(
                TrustBundles.extendedTrustManager(List.of(mine.certificate())), List.of(mine.certificate()), () -> {
                    reads.incrementAndGet();
                    throw new CertificateException("the defaults must not be read");
                });
        tm.checkServerTrusted(chain(mine.issue(List.of("a.test"), Duration.ofDays(1))), "ECDHE_ECDSA");
        assertThat(reads).hasValue(0);
    }

    @Test
    void otherChainsGoToTheDefaultsWhichAreReadOnce() throws Exception {
        SelfSignedCa mine = ca("mine");
        SelfSignedCa standIn = ca("stand-in for the JDK's CAs");
        SelfSignedCa unknown = ca("unknown");
        AtomicInteger reads = new AtomicInteger();
        X509ExtendedTrustManager defaults = TrustBundles.extendedTrustManager(List.of(standIn.certificate()));
        var tm = new TrustBundles.ExtraThenJdkDefaults(
                TrustBundles.extendedTrustManager(List.of(mine.certificate())), List.of(mine.certificate()), () -> {
                    reads.incrementAndGet();
                    return defaults;
                });
        tm.checkServerTrusted(chain(standIn.issue(List.of("b.test"), Duration.ofDays(1))), "ECDHE_ECDSA");
        tm.checkServerTrusted(chain(standIn.issue(List.of("c.test"), Duration.ofDays(1))), "ECDHE_ECDSA");
        assertThatThrownBy(() -> tm.checkServerTrusted(
                        chain(unknown.issue(List.of("d.test"), Duration.ofDays(1))), "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class);
        assertThat(reads).hasValue(1);
        assertThat(tm.getAcceptedIssuers()).contains(mine.certificate(), standIn.certificate());
    }

    @Test
    void aHandshakeChecksTheHostNameAgainstTheExtraCasCertificate() throws Exception {
        SelfSignedCa mine = ca("mine");
        SSLContext client = TrustBundles.trustingJdkDefaultsAnd(List.of(mine.certificate()));
        // the client connects to the loopback address by its name, "localhost"
        assertThat(handshake(client, mine.issue(List.of("localhost"), Duration.ofDays(1))))
                .isEqualTo("ok");
        assertThat(handshake(client, mine.issue(List.of("elsewhere.test"), Duration.ofDays(1))))
                .contains("No subject alternative DNS name matching localhost");
        SelfSignedCa unknown = ca("unknown");
        assertThat(handshake(client, unknown.issue(List.of("localhost"), Duration.ofDays(1))))
                .contains("PKIX path building failed");
    }

    /** A TLS 1.3 handshake on loopback verifying the host name as HTTPS clients do: "ok" or the client's error. */
    private static String handshake(SSLContext client, ServerCertificate server) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) server.serverContext()
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread accept = Thread.ofVirtual().start(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                } catch (IOException e) {
                    // the client refused the certificate
                }
            });
            try (SSLSocket s = (SSLSocket)
                    client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                s.startHandshake();
                return "ok";
            } catch (SSLHandshakeException e) {
                return String.valueOf(e.getMessage());
            } finally {
                accept.join();
            }
        }
    }
}
