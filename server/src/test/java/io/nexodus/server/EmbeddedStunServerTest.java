package io.nexodus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.server.testing.TestServer;
import io.nexodus.stun.BindingResult;
import io.nexodus.stun.StunClient;
import io.nexodus.stun.StunClientConfig;
import io.nexodus.testkit.FreePorts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The service answers STUN on both configured ports and counts it on /metrics. */
class EmbeddedStunServerTest {
    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");

    @Test
    void answersBindingRequestsOnBothPortsAndCountsThem() throws Exception {
        int p1 = FreePorts.udp();
        int p2 = FreePorts.udp();
        ServerConfig cfg = ServerConfig.forTests(Files.createTempDirectory("nexodus-stun-"));
        EmbeddedStunServer stun = new EmbeddedStunServer("127.0.0.1", List.of(p1, p2));
        try (TestServer service = TestServer.start(cfg, List.of(stun));
                StunClient client = StunClient.open(new InetSocketAddress(LOOPBACK, 0), StunClientConfig.defaults())) {
            int localPort = client.localAddress().orElseThrow().getPort();
            // the banner line: addresses as people write them (not InetSocketAddress's "/127.0.0.1:3478")
            assertThat(stun.describe()).isEqualTo("STUN:       udp 127.0.0.1:" + p1 + ", 127.0.0.1:" + p2);
            for (int port : List.of(p1, p2)) {
                BindingResult r = client.bind(new InetSocketAddress(LOOPBACK, port));
                assertThat(r).isInstanceOf(BindingResult.Success.class);
                assertThat(r.mappedAddress()).contains(new InetSocketAddress(LOOPBACK, localPort));
            }
            String metrics = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(service.url() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics).containsPattern("nexodus_stun_success_responses_total\\S* 2\\.0");
        }
    }
}
