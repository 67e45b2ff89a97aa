package io.nexodus.api.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Watch;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reconnect and resume against a scripted server: the second request must carry gt_revision and at_tail. */
class WatchStreamTest {
    @Test
    void reconnectsAndResumesWhereItLeftOff() throws Exception {
        UUID vpc = UUID.randomUUID();
        UUID a = UUID.randomUUID(), b = UUID.randomUUID();
        List<List<Watch>> requests = new CopyOnWriteArrayList<>();
        AtomicInteger conn = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 0);
        server.createContext("/api/vpcs/" + vpc + "/events", ex -> {
            requests.add(List.of(Json.mapper().readValue(ex.getRequestBody().readAllBytes(), Watch[].class)));
            assertThat(ex.getRequestURI().getRawQuery()).isEqualTo("public_key=pk%2B");
            ex.getResponseHeaders().add("Content-Type", "application/json;stream=watch");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                if (conn.incrementAndGet() == 1) {
                    line(out, "{\"kind\":\"device\",\"type\":\"change\",\"value\":" + dev(a, 4) + "}");
                    line(out, "");
                    line(out, "{\"kind\":\"device\",\"type\":\"tail\"}");
                    // then the connection drops
                } else {
                    line(out, "{\"kind\":\"device\",\"type\":\"change\",\"value\":" + dev(b, 6) + "}");
                    Thread.sleep(1500);
                }
            } catch (InterruptedException | IOException ignored) {
                // client went away
            }
        });
        server.start();
        try {
            NexodusClient client = NexodusClient.builder(
                            URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                    .build();
            Informer<Device> devices = Informer.devices(vpc);
            try (WatchStream s = WatchStream.builder(client, vpc)
                    .publicKey("pk+")
                    .subscribe(devices)
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                    .start()) {
                assertThat(devices.awaitSynced(Duration.ofSeconds(5))).isTrue();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (devices.size() < 2 && System.nanoTime() < deadline) {
                    devices.awaitChange(devices.version(), Duration.ofMillis(100));
                }
                assertThat(devices.items()).containsOnlyKeys(a.toString(), b.toString());
                assertThat(s.isConnected()).isTrue();
            }
            assertThat(requests.get(0).get(0).gtRevision()).isZero();
            assertThat(requests.get(0).get(0).atTail()).isFalse();
            assertThat(requests.get(1).get(0).gtRevision()).isEqualTo(4);
            assertThat(requests.get(1).get(0).atTail()).isTrue();
        } finally {
            server.stop(0);
        }
    }

    private static String dev(UUID id, long rev) throws IOException {
        return Json.mapper()
                .writeValueAsString(new Device(
                        id, null, null, "k", List.of(), List.of(), List.of(), List.of(), false, false, "h", "linux",
                        List.of(), rev, null, false, null, null));
    }

    private static void line(OutputStream out, String s) throws IOException {
        out.write((s + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
