package io.nexodus.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client trusts a given CA file, refuses an unknown certificate, and skips all checks only when asked. */
class TlsOptionsTest {
    @TempDir
    Path dir;

    @Test
    void trustsTheGivenCaAndRefusesOtherwise() throws Exception {
        Path ks = dir.resolve("server.p12");
        Path pem = dir.resolve("server.pem");
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(
                keytool,
                "-genkeypair",
                "-alias",
                "s",
                "-keyalg",
                "EC",
                "-dname",
                "CN=test",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit");
        run(
                keytool,
                "-exportcert",
                "-rfc",
                "-alias",
                "s",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit",
                "-file",
                pem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/api/fflags", ex -> {
            byte[] b = "{\"devices\":true}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        try {
            URI url = URI.create("https://127.0.0.1:" + server.getAddress().getPort());
            assertThat(NexodusClient.builder(url)
                            .tls(TlsOptions.trusting(pem))
                            .build()
                            .featureFlags()
                            .list())
                    .containsEntry("devices", true);
            assertThat(NexodusClient.builder(url)
                            .tls(TlsOptions.insecure())
                            .build()
                            .featureFlags()
                            .list())
                    .containsEntry("devices", true);
            assertThatThrownBy(() ->
                            NexodusClient.builder(url).build().featureFlags().list())
                    .isInstanceOf(ApiTransportException.class)
                    .hasMessageContaining("TLS");
            URI byName = URI.create("https://localhost:" + server.getAddress().getPort());
            // the certificate is for 127.0.0.1 only: the host name check must fail with the CA, and pass when insecure
            assertThatThrownBy(() -> NexodusClient.builder(byName)
                            .tls(TlsOptions.trusting(pem))
                            .build()
                            .featureFlags()
                            .list())
                    .isInstanceOf(ApiTransportException.class);
            assertThat(NexodusClient.builder(byName)
                            .tls(TlsOptions.insecure())
                            .build()
                            .featureFlags()
                            .list())
                    .containsEntry("devices", true);
        } finally {
            server.stop(0);
        }
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }
}
