package io.nexodus.derp.bench;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientConfig;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.derp.frame.BufferPool;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.FrameLimits;
import io.nexodus.derp.frame.FrameReader;
import io.nexodus.derp.frame.FrameWriter;
import io.nexodus.derp.http.DerpRelayConfig;
import io.nexodus.derp.http.DerpRelayServer;
import io.nexodus.derp.http.TlsMode;
import io.nexodus.derp.tls.CertDir;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * Benchmarks for the DERP relay, run by {@code bench/scripts/derp-idle-memory.sh} (not a test).
 *
 * <ul>
 *   <li>{@code idle-memory N [tls|plain]}: starts a relay in a child JVM, opens N idle client connections from this
 *       JVM, and prints the relay's heap (after GC) and RSS growth per connection.</li>
 *   <li>{@code throughput SECONDS SIZE [tls|plain]}: packets/s from one client to another through one relay on
 *       loopback, against an anchor measured in the same run: the same frames over one direct socket.</li>
 *   <li>{@code server DIR [tls|plain]}: the relay side of idle-memory (commands on stdin: {@code gc}, {@code quit}).</li>
 * </ul>
 */
@SuppressWarnings("try") // resources opened for their effect (connections) or closed early on purpose
public final class DerpBench {
    private DerpBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: DerpBench idle-memory N [tls|plain] | throughput SECONDS SIZE [tls|plain]");
            System.exit(2);
        }
        switch (args[0]) {
            case "server" -> server(Path.of(args[1]), args.length > 2 && args[2].equals("tls"));
            case "idle-memory" -> idleMemory(Integer.parseInt(args[1]), args.length > 2 && args[2].equals("tls"));
            case "throughput" ->
                throughput(
                        Integer.parseInt(args[1]), Integer.parseInt(args[2]), args.length > 3 && args[3].equals("tls"));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static DerpRelayConfig relayConfig(Path dir, boolean tls) {
        DerpRelayConfig.Builder b = DerpRelayConfig.builder()
                .bindAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                .sendQueueDepth(32);
        if (tls) {
            b.tlsMode(TlsMode.SELF_SIGNED).certDir(dir).hostname("derp.bench.test");
        }
        return b.build();
    }

    /** The relay in its own JVM, so its RSS is its own. */
    private static void server(Path dir, boolean tls) throws Exception {
        try (DerpRelayServer relay = DerpRelayServer.start(relayConfig(dir, tls))) {
            PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
            out.println("PORT " + relay.port());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("gc")) {
                    for (int i = 0; i < 3; i++) {
                        System.gc();
                        Thread.sleep(200);
                    }
                    long heap = ManagementFactory.getMemoryMXBean()
                            .getHeapMemoryUsage()
                            .getUsed();
                    out.println("HEAP " + heap + " CONNS " + relay.stats().currentConnections());
                } else if (line.equals("quit")) {
                    break;
                }
            }
        }
    }

    private record Sample(long heap, long rss, long conns) {}

    private static void idleMemory(int n, boolean tls) throws Exception {
        Path dir = Files.createTempDirectory("derp-bench");
        String java = ProcessHandle.current().info().command().orElse("java");
        // The heap shrinks to its live size after the measuring GC, so RSS reflects what connections hold rather
        // than garbage from the handshake storm (a relay deployment can use the same flags).
        Process server = new ProcessBuilder(
                        java,
                        "-Xmx1g",
                        "-XX:MinHeapFreeRatio=5",
                        "-XX:MaxHeapFreeRatio=10",
                        "-cp",
                        System.getProperty("java.class.path"),
                        DerpBench.class.getName(),
                        "server",
                        dir.toString(),
                        tls ? "tls" : "plain")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader sin =
                    new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter sout = new PrintWriter(server.getOutputStream(), true, StandardCharsets.UTF_8);
            int port = Integer.parseInt(sin.readLine().split(" ", -1)[1]);
            URI url = URI.create((tls ? "https://derp.bench.test:" : "http://127.0.0.1:") + port + "/derp");
            SSLContext trust = tls ? TrustBundles.trusting(dir.resolve("ca.crt")) : null;
            InetSocketAddress at = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), port);

            // Warm up (class loading, JIT, pools) with connections that come and go, then measure from there.
            List<DerpClient> warm = open(Math.min(1000, n), url, trust, at);
            warm.forEach(DerpClient::close);
            Thread.sleep(1000);
            Sample before = sample(server, sin, sout);
            long t0 = System.nanoTime();
            List<DerpClient> clients = open(n, url, trust, at);
            double connectSeconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(2000); // let the relay settle: handshake garbage collected, writers gone
            Sample after = sample(server, sin, sout);
            System.out.printf(
                    "derp idle memory (%s): %d connections opened in %.1f s; relay reports %d connections%n",
                    tls ? "TLS 1.3" : "plain TCP", n, connectSeconds, after.conns());
            System.out.printf(
                    "  heap after GC: %.1f MiB -> %.1f MiB = %.0f bytes per connection%n",
                    before.heap() / 1048576.0, after.heap() / 1048576.0, (after.heap() - before.heap()) / (double) n);
            System.out.printf(
                    "  RSS          : %.1f MiB -> %.1f MiB = %.0f bytes per connection%n",
                    before.rss() / 1048576.0, after.rss() / 1048576.0, (after.rss() - before.rss()) / (double) n);
            System.out.printf(
                    "  target < 20 KB (20480 bytes) per idle connection: heap %s, RSS %s%n",
                    (after.heap() - before.heap()) / n < 20480 ? "met" : "MISSED",
                    (after.rss() - before.rss()) / n < 20480 ? "met" : "MISSED");
            if (System.getenv("DERP_BENCH_HISTO") != null) { // what the relay's heap holds, for investigation
                Process h = new ProcessBuilder(
                                Path.of(java).resolveSibling("jcmd").toString(),
                                Long.toString(server.pid()),
                                "GC.class_histogram")
                        .redirectErrorStream(true)
                        .start();
                new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .limit(40)
                        .forEach(System.out::println);
            }
            clients.forEach(DerpClient::close);
            sout.println("quit");
        } finally {
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static List<DerpClient> open(int n, URI url, SSLContext trust, InetSocketAddress at) throws Exception {
        List<DerpClient> clients = new ArrayList<>(n);
        DerpClientListener ignore = (src, pkt) -> {};
        int batch = 200;
        for (int i = 0; i < n; i += batch) {
            List<DerpClient> step = new ArrayList<>();
            for (int j = i; j < Math.min(n, i + batch); j++) {
                DerpClientConfig.Builder b = DerpClientConfig.builder(url, NodePrivateKey.generate())
                        .sendQueueDepth(4)
                        .platformThreads(false)
                        .connectTimeout(Duration.ofSeconds(60));
                if (trust != null) {
                    b.sslContext(trust).dialAddress(at);
                }
                step.add(DerpClient.start(b.build(), ignore));
            }
            for (DerpClient c : step) {
                if (!c.awaitConnected(Duration.ofMinutes(2))) {
                    throw new IOException("a client did not connect; relay stderr above may say why");
                }
            }
            clients.addAll(step);
        }
        return clients;
    }

    private static Sample sample(Process server, BufferedReader sin, PrintWriter sout) throws IOException {
        sout.println("gc");
        String[] r = sin.readLine().split(" ", -1);
        long rss = 0;
        for (String l : Files.readAllLines(Path.of("/proc/" + server.pid() + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                rss = Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return new Sample(Long.parseLong(r[1]), rss, Long.parseLong(r[3]));
    }

    /**
     * Alternates anchor and relay slices ({@code seconds} rounds of one second each, after a short warm-up) so that
     * load from other processes hits both alike, and compares the medians.
     */
    private static void throughput(int seconds, int size, boolean tls) throws Exception {
        Path dir = Files.createTempDirectory("derp-bench");
        if (tls) {
            try (DerpRelayServer r = DerpRelayServer.start(relayConfig(dir, true))) {
                // makes the CA and the server certificate in dir, reused below
            }
        }
        int rounds = Math.max(3, seconds);
        double[] anchor = new double[rounds];
        double[] relayedRates = new double[rounds];
        try (DerpRelayServer relay = DerpRelayServer.start(relayConfig(dir, tls))) {
            for (int i = 0; i < rounds; i++) {
                anchor[i] = directAnchor(1, size, tls, dir);
                relayedRates[i] = relayed(relay, 1, size, tls, dir);
            }
        }
        Arrays.sort(anchor);
        Arrays.sort(relayedRates);
        double a = anchor[rounds / 2];
        double r = relayedRates[rounds / 2];
        System.out.printf(
                "derp throughput (%s, %d-byte packets, median of %d alternating 1 s rounds, loopback):%n",
                tls ? "TLS" : "plain TCP", size, rounds);
        System.out.printf(
                "  anchor, same frames over one direct %s socket: %,.0f packets/s (%.0f Mbit/s)%n",
                tls ? "TLS" : "TCP", a, a * size * 8 / 1e6);
        System.out.printf(
                "  through the relay, client -> relay -> client:  %,.0f packets/s (%.0f Mbit/s)%n",
                r, r * size * 8 / 1e6);
        System.out.printf(
                "  ratio relay/direct: %.2f (rounds: anchor %,.0f..%,.0f, relay %,.0f..%,.0f)%n",
                r / a, anchor[0], anchor[rounds - 1], relayedRates[0], relayedRates[rounds - 1]);
    }

    private static double relayed(DerpRelayServer relay, int seconds, int size, boolean tls, Path dir)
            throws Exception {
        URI url = tls ? URI.create("https://derp.bench.test:" + relay.port() + "/derp") : relay.url();
        SSLContext trust = tls ? TrustBundles.trusting(dir.resolve("ca.crt")) : null;
        AtomicLong received = new AtomicLong();
        NodePrivateKey ka = NodePrivateKey.generate();
        NodePrivateKey kb = NodePrivateKey.generate();
        DerpClientConfig.Builder ba = DerpClientConfig.builder(url, ka).sendQueueDepth(1024);
        DerpClientConfig.Builder bb = DerpClientConfig.builder(url, kb);
        if (tls) {
            InetSocketAddress at = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), relay.port());
            ba.sslContext(trust).dialAddress(at);
            bb.sslContext(trust).dialAddress(at);
        }
        try (DerpClient a = DerpClient.start(ba.build(), (s, p) -> {});
                DerpClient b = DerpClient.start(bb.build(), (s, p) -> received.incrementAndGet())) {
            if (!a.awaitConnected(Duration.ofSeconds(20)) || !b.awaitConnected(Duration.ofSeconds(20))) {
                throw new IOException("bench clients did not connect");
            }
            NodePublicKey dst = kb.publicKey();
            byte[] pkt = new byte[size];
            long warmEnd = System.nanoTime() + 300_000_000L;
            long start = 0;
            long startCount = 0;
            long end = warmEnd + seconds * 1_000_000_000L;
            while (true) {
                long now = System.nanoTime();
                if (start == 0 && now >= warmEnd) {
                    start = now;
                    startCount = received.get();
                }
                if (now >= end) {
                    break;
                }
                // Keep A's queue fed without spinning on drops: a few packets, then yield.
                for (int i = 0; i < 32; i++) {
                    a.send(dst, pkt);
                }
                Thread.onSpinWait();
                if (a.stats().sendDropsQueueFull() > 0) {
                    Thread.sleep(0, 50_000);
                }
            }
            return (received.get() - startCount) / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The same RecvPacket frames written by one thread and read by another over one socket, no relay. */
    private static double directAnchor(int seconds, int size, boolean tls, Path dir) throws Exception {
        ServerSocket ss;
        SSLContext trust = null;
        if (tls) {
            trust = TrustBundles.trusting(dir.resolve("ca.crt")); // made by the relay's self-signed mode
            SSLContext serverCtx = serverContext(dir);
            ss = serverCtx.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress());
            ((SSLServerSocket) ss).setEnabledProtocols(new String[] {"TLSv1.3"});
        } else {
            ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        }
        AtomicLong received = new AtomicLong();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (Socket s = ss.accept()) {
                FrameReader in = new FrameReader(s.getInputStream());
                while (true) {
                    in.readFrame(FrameLimits.CLIENT);
                    received.incrementAndGet();
                }
            } catch (Exception e) {
                // the writer closed
            }
        });
        Socket s;
        if (tls) {
            SSLSocket t = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", ss.getLocalPort());
            var p = t.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("derp.bench.test")));
            t.setSSLParameters(p);
            t.startHandshake();
            s = t;
        } else {
            s = new Socket(InetAddress.ofLiteral("127.0.0.1"), ss.getLocalPort());
        }
        s.setTcpNoDelay(true);
        FrameWriter out = new FrameWriter(s.getOutputStream(), new BufferPool(16 * 1024, 2));
        Frame f = new Frame.RecvPacket(NodePrivateKey.generate().publicKey(), new byte[size]);
        long warmEnd = System.nanoTime() + 300_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        long start = 0;
        long startCount = 0;
        while (true) {
            long now = System.nanoTime();
            if (start == 0 && now >= warmEnd) {
                start = now;
                startCount = received.get();
            }
            if (now >= end) {
                break;
            }
            for (int i = 0; i < 32; i++) {
                out.write(f);
            }
            out.flush();
        }
        double rate = (received.get() - startCount) / ((System.nanoTime() - start) / 1e9);
        s.close();
        ss.close();
        reader.join(5000);
        return rate;
    }

    private static SSLContext serverContext(Path dir) throws Exception {
        return new CertDir(dir).read("derp.bench.test").serverContext();
    }
}
