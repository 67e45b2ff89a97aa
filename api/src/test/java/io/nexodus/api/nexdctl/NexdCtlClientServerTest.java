package io.nexodus.api.nexdctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against our server over a real unix socket, and each against hand-written peers speaking Go's bytes. */
class NexdCtlClientServerTest {
    @TempDir
    Path dir;

    private Path socket;
    private final TestAgent agent = new TestAgent();
    private NexdCtlServer server;
    private NexdCtlClient client;

    /** An agent whose answers the test sets. */
    static final class TestAgent implements NexdCtl {
        volatile boolean debug;
        final List<String> proxyRules = new ArrayList<>();
        volatile CountDownLatch block;

        @Override
        public String version() {
            return "1.2.3";
        }

        @Override
        public NexdStatus status() {
            return new NexdStatus(NexdStatus.RUNNING, "all good");
        }

        @Override
        public String tunnelIp(IpFamily f) {
            if (f == IpFamily.V6) {
                throw new IllegalStateException("IPv6 is disabled on this host");
            }
            return "100.64.0.3";
        }

        @Override
        public ListPeersResult listPeers() {
            return new ListPeersResult(
                    true,
                    true,
                    Map.of(
                            "pkB=",
                                    new PeerStatus(
                                            "pkB=",
                                            "127.0.0.2:900",
                                            List.of("100.64.0.5/32"),
                                            "2026-11-02T10:15:30Z",
                                            10,
                                            20,
                                            true,
                                            "b",
                                            List.of("100.64.0.5", "fd00::5"),
                                            PeeringMethod.VIA_DERP_RELAY,
                                            RelayKind.PUBLIC_DERP,
                                            null,
                                            null),
                            "pkA=",
                                    new PeerStatus(
                                            "pkA=",
                                            "198.51.100.7:51820",
                                            List.of("100.64.0.4/32"),
                                            "",
                                            0,
                                            0,
                                            false,
                                            "a",
                                            List.of("100.64.0.4"),
                                            PeeringMethod.PEER_REFLEXIVE,
                                            null,
                                            null,
                                            "port prediction: the mapping came after 64 probes to"
                                                    + " 198.51.100.22:40003-40034")));
        }

        @Override
        public ConnectivityResult connectivity(IpFamily f) {
            CountDownLatch b = block;
            if (b != null) {
                try {
                    b.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new ConnectivityResult(
                    false,
                    false,
                    Map.of(
                            "100.64.0.4",
                            new PeerReachability("100.64.0.4", true, "a", "1.23ms", PeeringMethod.REFLEXIVE)));
        }

        @Override
        public boolean debug() {
            return debug;
        }

        @Override
        public void setDebug(boolean on) {
            debug = on;
        }

        @Override
        public List<String> proxyList() {
            return List.copyOf(proxyRules);
        }

        @Override
        public String proxyAdd(ProxyDirection d, String rule) {
            if (!rule.matches("(tcp|udp):\\d+:[^:]+:\\d+")) {
                throw new IllegalArgumentException("invalid proxy rule " + rule);
            }
            proxyRules.add(d.flag() + " " + rule);
            return "added " + d.flag() + " " + rule;
        }
    }

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("run").resolve("nexd.sock");
        server = new NexdCtlServer(socket, agent).start();
        client = new NexdCtlClient(socket);
    }

    @AfterEach
    void stop() {
        CountDownLatch b = agent.block;
        if (b != null) {
            b.countDown();
        }
        server.close();
    }

    @Test
    void everyTypedCallRoundTrips() {
        assertThat(client.version()).isEqualTo("1.2.3");
        client.requireVersion("1.2.3");
        assertThat(client.status()).isEqualTo(new NexdStatus("Running", "all good"));
        assertThat(client.tunnelIp(IpFamily.V4)).isEqualTo("100.64.0.3");

        ListPeersResult peers = client.listPeers();
        assertThat(peers.relayPresent()).isTrue();
        assertThat(peers.relayRequired()).isTrue();
        assertThat(peers.peers()).containsOnlyKeys("pkA=", "pkB=");
        assertThat(peers.peers().get("pkB="))
                .isEqualTo(agent.listPeers().peers().get("pkB="));
        assertThat(peers.peers().get("pkB=").latestHandshakeTime())
                .hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("2026-11-02T10:15:30Z"));
        assertThat(peers.peers().get("pkA=").latestHandshakeTime()).isEmpty();
        assertThat(peers.peers().get("pkA="))
                .isEqualTo(agent.listPeers().peers().get("pkA="));
        assertThat(peers.peers().get("pkA=").pathNote()).startsWith("port prediction: ");
        assertThat(peers.peers().get("pkB=").pathNote()).isNull();

        ConnectivityResult c = client.connectivity(IpFamily.V4);
        assertThat(c.peers().get("100.64.0.4").reachable()).isTrue();
        assertThat(c.peers().get("100.64.0.4").latency()).isEqualTo("1.23ms");

        assertThat(client.debug()).isFalse();
        assertThat(client.setDebug(true)).contains("on");
        assertThat(client.debug()).isTrue();

        assertThat(client.proxyAdd(ProxyDirection.INGRESS, "tcp:80:127.0.0.1:8080"))
                .contains("added");
        assertThat(client.proxyList()).containsExactly("--ingress tcp:80:127.0.0.1:8080");
    }

    @Test
    void agentErrorsReachTheClientAsRpcErrors() {
        assertThatThrownBy(() -> client.tunnelIp(IpFamily.V6)).isInstanceOfSatisfying(NexdRpcException.class, e -> {
            assertThat(e.getMessage()).isEqualTo("IPv6 is disabled on this host");
            assertThat(e.method()).isEqualTo("NexdCtl.GetTunnelIPv6");
        });
        assertThatThrownBy(() -> client.proxyAdd(ProxyDirection.EGRESS, "nonsense"))
                .isInstanceOf(NexdRpcException.class)
                .hasMessageContaining("invalid proxy rule nonsense");
        assertThatThrownBy(() -> client.proxyAdd(ProxyDirection.EGRESS, ""))
                .isInstanceOf(NexdRpcException.class)
                .hasMessageContaining("no proxy rule given");
        assertThatThrownBy(client::listExitNodes)
                .isInstanceOf(NexdRpcException.class)
                .hasMessageContaining("cannot use an exit node");
        assertThatThrownBy(() -> client.call("NexdCtl.Nope", "", Duration.ofSeconds(5)))
                .isInstanceOf(NexdRpcException.class)
                .hasMessage("rpc: can't find method NexdCtl.Nope");
        assertThat(client.version()).isEqualTo("1.2.3"); // the server is still fine
    }

    @Test
    void refusesAnotherVersion() {
        assertThatThrownBy(() -> client.requireVersion("1.2.4"))
                .isInstanceOfSatisfying(NexdVersionMismatchException.class, e -> {
                    assertThat(e.ours()).isEqualTo("1.2.4");
                    assertThat(e.theirs()).isEqualTo("1.2.3");
                    assertThat(e.getMessage()).isEqualTo("version mismatch: nexctl 1.2.4, nexd 1.2.3");
                });
    }

    @Test
    void explainsWhyTheAgentCannotBeReached() throws IOException {
        NexdCtlClient none = new NexdCtlClient(dir.resolve("missing.sock"));
        assertThatThrownBy(none::version)
                .isInstanceOfSatisfying(
                        NexdUnreachableException.class,
                        e -> assertThat(e.reason()).isEqualTo(NexdUnreachableException.Reason.NO_SOCKET));

        Path stale = dir.resolve("stale.sock");
        ServerSocketChannel s =
                ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(stale));
        s.close(); // the file stays, nobody listens
        assertThat(stale).exists();
        assertThatThrownBy(new NexdCtlClient(stale)::version)
                .isInstanceOfSatisfying(
                        NexdUnreachableException.class,
                        e -> assertThat(e.reason()).isEqualTo(NexdUnreachableException.Reason.NOT_LISTENING));
    }

    @Test
    void aSlowAnswerHitsTheDeadline() {
        agent.block = new CountDownLatch(1);
        NexdCtlClient impatient = new NexdCtlClient(socket, Duration.ofMillis(300), 1 << 20);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> impatient.call(NexdCtlMethod.CONNECTIVITY_V4, "", Duration.ofMillis(300)))
                .isInstanceOfSatisfying(NexdUnreachableException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NexdUnreachableException.Reason.TIMEOUT);
                    assertThat(e.getMessage()).contains("within 300 ms");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void socketIsOwnerOnlyAndRemovedOnClose() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                .isEqualTo("rwx------");
        server.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void refusesToStealALiveSocketButReplacesAStaleOne() throws IOException {
        assertThatThrownBy(() -> new NexdCtlServer(socket, agent).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("another process is serving");
        assertThat(client.version()).isEqualTo("1.2.3");

        Path stale = dir.resolve("stale2.sock");
        ServerSocketChannel s =
                ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(stale));
        s.close();
        try (NexdCtlServer second = new NexdCtlServer(stale, agent).start()) {
            assertThat(new NexdCtlClient(stale).version()).isEqualTo("1.2.3");
            assertThat(second.socket()).isEqualTo(stale.toAbsolutePath());
        }

        Path regular = Files.writeString(dir.resolve("not-a-socket"), "precious");
        assertThatThrownBy(() -> new NexdCtlServer(regular, agent).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is not a socket");
        assertThat(Files.readString(regular)).isEqualTo("precious");
    }

    @Test
    void serverAnswersSeveralAndPipelinedRequestsOnOneConnectionLikeGo() throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            // two requests in one write, no separator between them, then a malformed one, then a good one
            send(
                    ch,
                    "{\"method\":\"NexdCtl.Version\",\"params\":[\"\"],\"id\":0}{\"method\":\"NexdCtl.GetDebug\",\"params\":[\"\"],\"id\":1}\n");
            InputStream in = Channels.newInputStream(ch);
            JsonRpcFrameReader r = new JsonRpcFrameReader(in, 1 << 16);
            assertThat(frame(r)).isEqualTo("{\"id\":0,\"result\":\"1.2.3\",\"error\":null}");
            assertThat(frame(r)).isEqualTo("{\"id\":1,\"result\":\"off\",\"error\":null}");
            send(ch, "{\"id\":9,\"method\":42}\n");
            assertThat(frame(r))
                    .isEqualTo(
                            "{\"id\":9,\"result\":null,\"error\":\"invalid request: \\\"method\\\" must be a string\"}");
            send(ch, "{\"method\":\"NexdCtl.Status\",\"params\":[\"\"],\"id\":2}\n");
            assertThat(frame(r)).isEqualTo("{\"id\":2,\"result\":\"Status: Running\\nall good\",\"error\":null}");
        }
    }

    @Test
    void serverClosesConnectionsThatBreakTheFraming() throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            send(ch, "GET / HTTP/1.0\r\n\r\n");
            JsonRpcFrameReader r = new JsonRpcFrameReader(Channels.newInputStream(ch), 1 << 16);
            assertThat(frame(r)).contains("not JSON-RPC");
            assertThat(r.next()).isEqualTo(JsonRpcFrameReader.Frame.EndOfStream.INSTANCE);
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            send(ch, "{\"method\":\"NexdCtl.ProxyAddIngress\",\"params\":[\"" + "x".repeat(70_000) + "\"],\"id\":1}");
            JsonRpcFrameReader r = new JsonRpcFrameReader(Channels.newInputStream(ch), 1 << 16);
            assertThat(frame(r)).contains("request larger than 65536 bytes");
            assertThat(r.next()).isEqualTo(JsonRpcFrameReader.Frame.EndOfStream.INSTANCE);
        }
        assertThat(client.version()).isEqualTo("1.2.3");
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAndIdleOnesTimeOut() throws Exception {
        Path s2 = dir.resolve("limited.sock");
        try (NexdCtlServer limited = new NexdCtlServer(
                                s2,
                                agent,
                                new JsonRpcServer.Limits(1024, 1, Duration.ofMillis(300)),
                                JsonRpcServer.OWNER_ONLY)
                        .start();
                SocketChannel first = SocketChannel.open(UnixDomainSocketAddress.of(s2))) {
            // wait until the server has accepted the first connection
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (limited.activeConnections() < 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            try (SocketChannel second = SocketChannel.open(UnixDomainSocketAddress.of(s2))) {
                assertThat(second.read(ByteBuffer.allocate(16))).isEqualTo(-1); // closed at once
            }
            // the idle first connection is closed by the server after 300 ms, which frees the slot
            assertThat(first.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (limited.activeConnections() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(new NexdCtlClient(s2).version()).isEqualTo("1.2.3");
        }
    }

    @Test
    void clientUnderstandsAHandWrittenGoStyleAgentAndRejectsStrangers() throws Exception {
        Path s = dir.resolve("go.sock");
        try (ServerSocketChannel l =
                ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(s))) {
            List<String> replies = List.of(
                    "{\"id\":%d,\"result\":\"{\\\"relay-present\\\":false,\\\"relay-required\\\":false,\\\"peers\\\":{\\\"k=\\\":"
                            + "{\\\"PublicKey\\\":\\\"k=\\\",\\\"Endpoint\\\":\\\"10.0.0.2:51820\\\",\\\"AllowedIPs\\\":[\\\"100.64.0.9/32\\\"],"
                            + "\\\"LatestHandshake\\\":\\\"2026-11-02 10:15:30.123 +0000 UTC\\\",\\\"Tx\\\":5,\\\"Rx\\\":6,\\\"Healthy\\\":true}}}\","
                            + "\"error\":null}\n",
                    "HTTP/1.1 400 Bad Request\r\n\r\n", "{\"id\":%d,\"result\":\"not json at all\",\"error\":null}\n");
            List<String> received = new ArrayList<>();
            Thread peer = Thread.ofVirtual().start(() -> {
                for (String reply : replies) {
                    try (SocketChannel c = l.accept()) {
                        JsonRpcFrameReader r = new JsonRpcFrameReader(Channels.newInputStream(c), 4096);
                        String req = frame(r);
                        received.add(req);
                        long id = Long.parseLong(req.replaceAll(".*\"id\":(\\d+).*", "$1"));
                        send(c, reply.contains("%d") ? reply.formatted(id) : reply);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }
            });
            NexdCtlClient c = new NexdCtlClient(s);
            ListPeersResult peers = c.listPeers();
            PeerStatus p = peers.peers().get("k=");
            assertThat(p.healthy()).isTrue();
            assertThat(p.method()).isNull(); // an upstream agent does not send our extension
            assertThat(p.latestHandshakeTime())
                    .hasValueSatisfying(t -> assertThat(t.toString()).isEqualTo("2026-11-02T10:15:30.123Z"));
            assertThatThrownBy(c::version)
                    .isInstanceOf(NexdProtocolException.class)
                    .hasMessageContaining("is it nexd's socket?");
            assertThatThrownBy(c::listPeers)
                    .isInstanceOf(NexdProtocolException.class)
                    .hasMessageContaining("not its JSON result");
            peer.join(5000);
            assertThat(received.getFirst())
                    .matches("\\{\"method\":\"NexdCtl.ListPeers\",\"params\":\\[\"\"],\"id\":\\d+}");
        }
    }

    @Test
    void statusTextRoundTrips() {
        assertThat(NexdStatus.parse("Status: WaitingForAuth\nVisit https://x/device?code=AB-CD\n"))
                .isEqualTo(new NexdStatus("WaitingForAuth", "Visit https://x/device?code=AB-CD"));
        assertThat(NexdStatus.parse(new NexdStatus("Running", "").toWire())).isEqualTo(new NexdStatus("Running", ""));
        assertThat(NexdStatus.parse("something else")).isEqualTo(new NexdStatus("", "something else"));
        assertThat(PeerStatus.formatHandshake(null)).isEmpty();
        assertThat(PeerReachability.formatLatency(Duration.ofNanos(1_234_000))).isEqualTo("1.23ms");
        assertThat(PeerReachability.formatLatency(null)).isEqualTo("-");
    }

    private static void send(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static String frame(JsonRpcFrameReader r) throws IOException {
        JsonRpcFrameReader.Frame f = r.next();
        assertThat(f).isInstanceOf(JsonRpcFrameReader.Frame.Json.class);
        return new String(((JsonRpcFrameReader.Frame.Json) f).bytes(), StandardCharsets.UTF_8);
    }
}
