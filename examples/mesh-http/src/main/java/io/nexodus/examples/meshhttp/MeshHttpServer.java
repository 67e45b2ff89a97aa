package io.nexodus.examples.meshhttp;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import io.nexodus.node.MeshForward;
import io.nexodus.node.MeshSocket;
import io.nexodus.node.NexodusNode;
import io.nexodus.node.NodeStartException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * Example of the node library: this JVM joins a Nexodus VPC (no root, no TUN) and serves a directory over HTTP to the
 * VPC's peers with the JDK's {@link HttpServer}; optionally it also fetches a URL from a peer over the mesh.
 * <p>
 * How the JDK's {@code HttpServer} is reached, plainly: it accepts only kernel sockets (its NIO channels), and a mesh
 * connection is not one. So the server listens on {@code 127.0.0.1} at a free port, and the node forwards the mesh
 * port ({@code --port}, default 80) to it ({@link NexodusNode#forward}): one loopback connection per mesh connection,
 * bytes copied both ways inside this JVM. Peers reach {@code http://<tunnel address>:<port>/}; other programs on this
 * host can reach the loopback port too (use {@link NexodusNode#listen} directly for a server that must be reachable
 * from the mesh only, as the fetch below uses {@link NexodusNode#connect} directly).
 *
 * <pre>
 * NEXODUS_REG_KEY='https://nexodus.example.com#RK:...' java -cp ... io.nexodus.examples.meshhttp.MeshHttpServer \
 *     --state-dir ./node-state --serve ./public [--port 80] [--fetch http://100.64.0.7:8000/file]
 * </pre>
 *
 * Environment: {@code NEXODUS_REG_KEY} ({@code https://host#RK:...}, or {@code RK:...} with {@code NEXODUS_SERVICE_URL}),
 * {@code NEXODUS_CA_CERT} (a CA to trust for the service, optional). Stops on SIGTERM/SIGINT.
 */
public final class MeshHttpServer {
    private static final Duration FETCH_FOR = Duration.ofSeconds(45);

    private MeshHttpServer() {}

    public static void main(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            // the node logs through SLF4J; this example's choice: INFO on standard error (before the first logger)
            System.setProperty("logback.configurationFile", "io/nexodus/examples/meshhttp/logback-example.xml");
        }
        Path state = Path.of(option(args, "--state-dir", null));
        Path dir = Path.of(option(args, "--serve", null)).toAbsolutePath();
        int port = Integer.parseInt(option(args, "--port", "80"));
        String fetch = option(args, "--fetch", "");
        if (!Files.isDirectory(dir)) {
            System.err.println("MeshHttpServer: --serve " + dir + " is not a directory");
            System.exit(64);
        }

        NexodusNode.Builder b = NexodusNode.builder().stateDir(state).regKey(env("NEXODUS_REG_KEY", null));
        String service = env("NEXODUS_SERVICE_URL", "");
        if (!service.isEmpty()) {
            b.serviceUrl(service);
        }
        String ca = env("NEXODUS_CA_CERT", "");
        if (!ca.isEmpty()) {
            b.caCert(Path.of(ca));
        }
        NexodusNode node;
        try {
            node = b.start();
        } catch (NodeStartException e) {
            System.err.println("MeshHttpServer: " + e.getMessage());
            System.exit(1);
            return;
        }

        // the JDK's HttpServer on loopback; the node forwards the mesh port to it
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/", SimpleFileServer.createFileHandler(dir));
        http.createContext("/hello", exchange -> {
            byte[] body = ("hello from " + node.tunnelAddress().getHostAddress() + " over the mesh\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        MeshForward forward = node.forward(port, http.getAddress());
        String v6 = node.tunnelAddressV6()
                .map(a -> " and http://[" + a.getHostAddress() + "]:" + port + "/")
                .orElse("");
        System.out.println(
                "serving " + dir + " at http://" + node.tunnelAddress().getHostAddress() + ":" + port + "/" + v6
                        + " (HttpServer on " + http.getAddress() + ")");

        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            forward.close();
            http.stop(0);
            node.close();
            stop.countDown();
        }));
        if (!fetch.isEmpty()) {
            System.out.println(fetch(node, URI.create(fetch)));
        }
        stop.await();
    }

    /**
     * GET {@code url} (plain HTTP, a peer's tunnel address) over a mesh connection, retrying until {@link #FETCH_FOR}
     * passed (the peer may still be setting up its tunnel); returns a line saying what came back.
     */
    static String fetch(NexodusNode node, URI url) throws InterruptedException {
        long deadline = System.nanoTime() + FETCH_FOR.toNanos();
        String last = "";
        while (System.nanoTime() - deadline < 0) {
            try {
                return fetchOnce(node, url);
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        return "fetch " + url + " failed: " + last;
    }

    private static String fetchOnce(NexodusNode node, URI url) throws IOException {
        InetAddress host = InetAddress.ofLiteral(url.getHost());
        int port = url.getPort() < 0 ? 80 : url.getPort();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        try (MeshSocket s = node.connect(new InetSocketAddress(host, port), Duration.ofSeconds(10))) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: " + url.getHost() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] response = s.getInputStream().readAllBytes();
            int end = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (end < 0) {
                throw new IOException("no HTTP response header in " + response.length + " bytes");
            }
            String head = new String(response, 0, end, StandardCharsets.ISO_8859_1);
            String status = head.lines().findFirst().orElse("");
            byte[] body = Arrays.copyOfRange(response, end + 4, response.length);
            return "fetched " + url + ": " + status + ", " + body.length + " bytes, sha256 " + sha256(body);
        }
    }

    private static int indexOf(byte[] data, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= data.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (data[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String option(String[] args, String name, String dflt) {
        List<String> a = List.of(args);
        int i = a.indexOf(name);
        if (i >= 0 && i + 1 < a.size()) {
            return a.get(i + 1);
        }
        if (dflt == null) {
            System.err.println(
                    "usage: MeshHttpServer --state-dir DIR --serve DIR [--port 80] [--fetch http://IP:PORT/PATH]"
                            + "\n  environment: NEXODUS_REG_KEY, NEXODUS_SERVICE_URL, NEXODUS_CA_CERT (see the class's Javadoc)");
            System.exit(64);
        }
        return dflt;
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        if (v != null && !v.isBlank()) {
            return v.strip();
        }
        if (dflt == null) {
            System.err.println("MeshHttpServer: set " + name);
            System.exit(64);
        }
        return dflt;
    }
}
