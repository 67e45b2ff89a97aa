package io.nexodus.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.nexodus.core.tls.SelfSignedCa;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client trusts a given CA file, refuses an unknown certificate, and skips all checks only when asked. */
class TlsOptionsTest {
    @TempDir
    Path dir;

    @Test
    void trustsTheGivenCaAndRefusesOtherwise() throws Exception {
        // a CA and a server certificate for 127.0.0.1 only; the client gets the CA file
        SelfSignedCa ca = SelfSignedCa.loadOrCreate(
                dir.resolve("ca.pem"), dir.resolve("ca-key.pem"), "Test CA", null, Clock.systemUTC());
        Path pem = ca.certificateFile();
        SSLContext ctx = ca.issue(List.of("127.0.0.1"), Duration.ofDays(1)).serverContext();
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
}
