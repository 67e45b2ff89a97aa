package io.nexodus.nexd.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.nexdctl.ProxyDirection;
import io.nexodus.netstack.Datagram;
import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.NetStackConfig;
import io.nexodus.netstack.TcpListener;
import io.nexodus.netstack.TcpSocket;
import io.nexodus.netstack.UdpSocket;
import io.nexodus.nexd.state.StateStore;
import io.nexodus.wireguard.bind.PacketBatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy's forwarding without root: two userspace stacks joined back to back through their {@link StackTun}s (what
 * two WireGuard devices do, minus the encryption). Stack A is the proxy device with rules; stack B plays a peer in the
 * mesh. Local servers are on this host's loopback address.
 */
class ProxyForwardingTest {
    private static final String A = "100.64.0.5";
    private static final String B = "100.64.0.7";
    private static final int MIB = 1 << 20;

    @TempDir
    Path state;

    private final StackTun tunA = new StackTun("proxy-a", 1420, 1024);
    private final StackTun tunB = new StackTun("peer-b", 1420, 1024);
    private NetStack stackA;
    private NetStack stackB;
    private UserspaceProxy proxy;
    private ServerSocket digestServer;
    private DatagramSocket udpEcho;

    @BeforeEach
    void link() throws Exception {
        pump(tunA, tunB);
        pump(tunB, tunA);
        stackA = tunA.attach(NetStackConfig.defaults(List.of(InetAddress.ofLiteral(A))));
        stackB = tunB.attach(NetStackConfig.defaults(List.of(InetAddress.ofLiteral(B))));
        digestServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> serveDigests(digestServer));
        udpEcho = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(this::echoUdp);
    }

    @AfterEach
    void close() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        tunA.close();
        tunB.close();
        digestServer.close();
        udpEcho.close();
    }

    private static void pump(StackTun from, StackTun to) {
        Thread.ofPlatform().daemon().name("link-" + from.name()).start(() -> {
            PacketBatch b = new PacketBatch(64, 2048);
            while (from.read(b) > 0) {
                to.write(b);
            }
        });
    }

    private UserspaceProxy proxy(String... rules) throws Exception {
        List<ProxyRule> parsed = Arrays.stream(rules)
                .map(r -> ProxyRule.parse(
                        r.startsWith("in:") ? ProxyDirection.INGRESS : ProxyDirection.EGRESS, r.substring(3)))
                .toList();
        UserspaceProxy p = new UserspaceProxy(parsed, new StateStore(state), Duration.ofSeconds(60));
        p.attach(stackA);
        return p;
    }

    @Test
    void ingressTcpReachesALocalServerWithHalfClose() throws Exception {
        proxy = proxy("in:tcp:80:127.0.0.1:" + digestServer.getLocalPort());
        TcpSocket s = stackB.connect(new InetSocketAddress(InetAddress.ofLiteral(A), 80), Duration.ofSeconds(5));
        assertDigestRoundTrip(s.getInputStream(), s.getOutputStream(), s::shutdownOutput, 3 * MIB);
        s.close();
        assertThat(proxy.statusLines().get(1))
                .contains("--ingress tcp:80:127.0.0.1:")
                .contains("connections 1");
    }

    @Test
    void egressTcpReachesAPeersPortFromLoopback() throws Exception {
        int port = freePort();
        proxy = proxy("eg:tcp:" + port + ":" + B + ":9000");
        TcpListener l = stackB.listen(9000, 8);
        Thread.ofVirtual().start(() -> {
            try (TcpSocket peer = l.accept()) {
                digest(peer.getInputStream(), peer.getOutputStream());
            } catch (Exception e) {
                // the test fails on the client side
            }
        });
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertDigestRoundTrip(c.getInputStream(), c.getOutputStream(), c::shutdownOutput, 3 * MIB);
        }
    }

    @Test
    void ingressToADeadLocalPortResetsThePeersConnection() throws Exception {
        int dead = freePort();
        proxy = proxy("in:tcp:81:127.0.0.1:" + dead);
        // the stack accepts; the proxy then cannot reach the destination and resets: the peer sees the reset while
        // connecting or at its first read, depending on which comes first
        assertThatThrownBy(() -> {
                    TcpSocket s =
                            stackB.connect(new InetSocketAddress(InetAddress.ofLiteral(A), 81), Duration.ofSeconds(5));
                    s.getInputStream().read();
                })
                .isInstanceOf(IOException.class)
                .hasMessageContaining("reset");
    }

    @Test
    void udpBothWays() throws Exception {
        int port = freePort();
        proxy = proxy("in:udp:53:127.0.0.1:" + udpEcho.getLocalPort(), "eg:udp:" + port + ":" + B + ":5353");
        // ingress: a peer's datagram to A:53 reaches the local echo server, the answer comes back from A:53
        UdpSocket peer = stackB.openUdp(0);
        peer.send(new InetSocketAddress(InetAddress.ofLiteral(A), 53), "hello".getBytes(StandardCharsets.UTF_8));
        Datagram d = peer.receive(Duration.ofSeconds(5));
        assertThat(new String(d.data(), StandardCharsets.UTF_8)).isEqualTo("echo hello");
        assertThat(d.source()).isEqualTo(new InetSocketAddress(InetAddress.ofLiteral(A), 53));

        // egress: a local client's datagram to 127.0.0.1:port reaches B:5353, B's answer comes back
        UdpSocket service = stackB.openUdp(5353);
        Thread.ofVirtual().start(() -> {
            try {
                Datagram q = service.receive();
                service.send(
                        q.source(),
                        ("re " + new String(q.data(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the client times out
            }
        });
        try (DatagramSocket client = new DatagramSocket()) {
            client.setSoTimeout(5000);
            byte[] q = "query".getBytes(StandardCharsets.UTF_8);
            client.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket r = new DatagramPacket(new byte[100], 100);
            client.receive(r);
            assertThat(new String(r.getData(), 0, r.getLength(), StandardCharsets.UTF_8))
                    .isEqualTo("re query");
        }
    }

    @Test
    void rulesAddedAtRunTimeWorkAndAreKeptRemovedOnesStop() throws Exception {
        String flagRule = "tcp:80:127.0.0.1:" + digestServer.getLocalPort();
        proxy = proxy("in:" + flagRule);
        String added = "tcp:82:127.0.0.1:" + digestServer.getLocalPort();
        assertThat(proxy.add(ProxyDirection.INGRESS, added)).isEqualTo("Added ingress proxy rule: " + added);
        TcpSocket s = stackB.connect(new InetSocketAddress(InetAddress.ofLiteral(A), 82), Duration.ofSeconds(5));
        assertDigestRoundTrip(s.getInputStream(), s.getOutputStream(), s::shutdownOutput, 64 * 1024);
        s.close();
        assertThat(proxy.list()).containsExactly("--ingress " + flagRule, "--ingress " + added);
        // only the added rule is stored
        String json = Files.readString(state.resolve("state.json"));
        assertThat(json).contains(added).doesNotContain(flagRule);

        assertThatThrownBy(() -> proxy.add(ProxyDirection.INGRESS, added)).hasMessageContaining("exists already");
        assertThatThrownBy(() -> proxy.add(ProxyDirection.INGRESS, "tcp:82:127.0.0.1:1"))
                .hasMessageContaining("listens on the same port as --ingress " + added);
        assertThatThrownBy(() -> proxy.add(ProxyDirection.INGRESS, "tcp:82:nowhere:1"))
                .hasMessageContaining("is not an IP address");

        // a restart: the flag rule comes from the flags, the added one from the state
        proxy.close();
        proxy = proxy("in:" + flagRule);
        assertThat(proxy.list()).containsExactly("--ingress " + flagRule, "--ingress " + added);

        assertThat(proxy.remove(ProxyDirection.INGRESS, added)).isEqualTo("Removed ingress proxy rule: " + added);
        assertThat(Files.readString(state.resolve("state.json"))).doesNotContain(added);
        assertThatThrownBy(() ->
                        stackB.connect(new InetSocketAddress(InetAddress.ofLiteral(A), 82), Duration.ofSeconds(5)))
                .isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> proxy.remove(ProxyDirection.INGRESS, added)).hasMessageContaining("no ingress rule");
    }

    @Test
    void anEgressPortTakenOnTheHostIsListedAsNotActiveAndRefusedAtRunTime() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            proxy = proxy("eg:tcp:" + port + ":" + B + ":80");
            assertThat(proxy.list()).singleElement().asString().contains("(not active: cannot listen on 127.0.0.1:");
            assertThatThrownBy(() -> proxy.add(ProxyDirection.EGRESS, "tcp:" + port + ":" + B + ":81"))
                    .hasMessageContaining("same port");
            assertThatThrownBy(
                            () -> proxy.add(ProxyDirection.EGRESS, "udp:" + udpEcho.getLocalPort() + ":" + B + ":81"))
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + udpEcho.getLocalPort() + " (UDP)");
        }
    }

    // ---- helpers ----

    @FunctionalInterface
    interface Shutdown {
        void run() throws IOException;
    }

    /** Sends {@code n} random bytes, half-closes, and checks the SHA-256 the far side sends back. */
    private static void assertDigestRoundTrip(InputStream in, OutputStream out, Shutdown shutdown, int n)
            throws Exception {
        byte[] data = new byte[n];
        new Random(n).nextBytes(data);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                for (int off = 0; off < n; off += 16384) {
                    out.write(data, off, Math.min(16384, n - off));
                }
                out.flush();
                shutdown.run();
            } catch (IOException e) {
                // the digest check fails
            }
        });
        byte[] got = in.readAllBytes(); // the far side answers after our FIN, then closes
        writer.join();
        assertThat(got).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Reads until end of stream, then answers with the SHA-256 of what came. */
    private static void digest(InputStream in, OutputStream out) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) >= 0) {
            md.update(buf, 0, n);
        }
        out.write(md.digest());
        out.flush();
    }

    private static void serveDigests(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        digest(s.getInputStream(), s.getOutputStream());
                    } catch (Exception e) {
                        // the client's check fails
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private void echoUdp() {
        byte[] buf = new byte[2048];
        while (!udpEcho.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udpEcho.receive(p);
                byte[] r = ("echo " + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8);
                udpEcho.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
