package io.nexodus.bench.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

class WatchStreamClientTest {

    /** What a client reported. */
    private static final class Recorder implements WatchStreamClient.Listener {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void opened(WatchStreamClient c) {
            calls.add("opened");
        }

        @Override
        public void synced(WatchStreamClient c) {
            calls.add("synced " + c.deviceEventsAtSync());
        }

        @Override
        public void marker(WatchStreamClient c, int change, long nanos) {
            calls.add("marker " + change);
        }

        @Override
        public void failed(WatchStreamClient c, String why) {
            calls.add("failed " + why);
        }
    }

    private static String device(int i, String address) {
        return "{\"kind\":\"device\",\"type\":\"change\",\"value\":{\"hostname\":\"d" + i
                + "\",\"endpoints\":[{\"source\":\"stun:x\",\"address\":\"" + address + "\"}]}}\n";
    }

    /** Serves one request with {@code body} in chunks of random sizes (lines and chunk headers split anywhere). */
    private static ServerSocket serve(String body, long seed) throws Exception {
        ServerSocket ss = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (ss;
                    Socket s = ss.accept()) {
                InputStream in = s.getInputStream();
                ByteArrayOutputStream req = new ByteArrayOutputStream();
                while (!req.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    req.write(in.read());
                }
                OutputStream out = s.getOutputStream();
                out.write(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json;stream=watch\r\nTransfer-Encoding: chunked\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                Random r = new Random(seed);
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                for (int at = 0; at < b.length; ) {
                    int n = Math.min(b.length - at, 1 + r.nextInt(300));
                    wire.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    wire.write(b, at, n);
                    wire.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    at += n;
                }
                wire.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] w = wire.toByteArray();
                for (int at = 0; at < w.length; ) { // TCP segments of random sizes too
                    int n = Math.min(w.length - at, 1 + r.nextInt(200));
                    out.write(w, at, n);
                    out.flush();
                    at += n;
                }
            } catch (Exception e) {
                // the test sees what the client reports
            }
        });
        return ss;
    }

    @Test
    void countsTheInitialListFindsTheTailsAndReportsMarkers() throws Exception {
        StringBuilder body = new StringBuilder("\n"); // the service's first line: a keep-alive
        for (int i = 0; i < 40; i++) {
            body.append(device(i, "203.0.113." + i + ":20000"));
        }
        body.append("{\"kind\":\"device\",\"type\":\"tail\"}\n");
        body.append("{\"kind\":\"security-group\",\"type\":\"change\",\"value\":{\"id\":\"x\"}}\n");
        body.append("{\"kind\":\"security-group\",\"type\":\"tail\"}\n\n");
        body.append("{\"kind\":\"device-metadata\",\"type\":\"tail\"}\n");
        body.append(device(7, WatchStreamClient.MARKER_HOST + ":" + (WatchStreamClient.MARKER_PORT_BASE + 3)));
        body.append("\n");
        body.append(device(8, "203.0.113.8:1")); // a change without the marker
        body.append(device(9, WatchStreamClient.MARKER_HOST + ":" + (WatchStreamClient.MARKER_PORT_BASE + 4)));
        for (long seed = 1; seed <= 20; seed++) {
            Recorder rec = new Recorder();
            try (ServerSocket ss = serve(body.toString(), seed)) {
                InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                WatchStreamClient c = new WatchStreamClient(
                        0,
                        addr,
                        WatchStreamClient.request(addr, "/api/events", "DT:x", "[]".getBytes(StandardCharsets.UTF_8)),
                        3,
                        2000,
                        rec);
                c.run(new Semaphore(0));
            }
            assertThat(rec.calls)
                    .as("seed " + seed)
                    .containsExactly("opened", "synced 40", "marker 3", "marker 4", "failed stream ended");
        }
    }

    @Test
    void anErrorResponseIsReportedWithItsBody() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = ss.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream()
                            .write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 17\r\n\r\n{\"error\":\"nope\"}\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // reported by the client
                }
            });
            Recorder rec = new Recorder();
            InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort());
            new WatchStreamClient(
                            0,
                            addr,
                            WatchStreamClient.request(
                                    addr, "/api/events", "DT:x", "[]".getBytes(StandardCharsets.UTF_8)),
                            3,
                            2000,
                            rec)
                    .run(new Semaphore(0));
            assertThat(rec.calls).hasSize(1);
            assertThat(rec.calls.getFirst()).startsWith("failed HTTP 401").contains("nope");
        }
    }

    @Test
    void findsNewlinesLikeAPlainLoop() {
        Random r = new Random(42);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[r.nextInt(70)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (r.nextInt(8) == 0 ? '\n' : r.nextInt(256));
            }
            int from = b.length == 0 ? 0 : r.nextInt(b.length);
            int to = from + (b.length == from ? 0 : r.nextInt(b.length - from + 1));
            int expected = -1;
            for (int i = from; i < to; i++) {
                if (b[i] == '\n') {
                    expected = i;
                    break;
                }
            }
            assertThat(WatchStreamClient.indexOfNewline(b, from, to)).isEqualTo(expected);
        }
    }
}
