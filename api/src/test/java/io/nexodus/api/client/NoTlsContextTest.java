package io.nexodus.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NoTlsContextTest {
    @Test
    void aPlainHttpClientSpeaksHttpAndRefusesTls() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try (HttpClient http =
                NoTlsContext.plainHttpOnly(HttpClient.newBuilder()).build()) {
            int port = server.getAddress().getPort();
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("ok");

            // the same port over TLS: refused before a byte of a handshake is sent
            assertThatThrownBy(() -> http.send(
                            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .rootCause()
                    .hasMessageContaining("speaks only plain HTTP");
        } finally {
            server.stop(0);
        }
    }
}
