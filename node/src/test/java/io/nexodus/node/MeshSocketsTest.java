package io.nexodus.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nexodus.netstack.Datagram;
import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.NetStackConfig;
import io.nexodus.netstack.UdpSocket;
import io.nexodus.testkit.Postgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node's sockets over two userspace stacks joined back to back (no agent, no WireGuard: the link between the
 * stacks stands in for the tunnel), so the API is tested without root and without a service.
 */
@Timeout(60)
class MeshSocketsTest {
    private static final InetAddress A = InetAddress.ofLiteral("100.64.0.1");
    private static final InetAddress B = InetAddress.ofLiteral("100.64.0.2");

    private final Wire wire = new Wire();
    private final NexodusNode a = node(wire.a);
    private final NexodusNode b = node(wire.b);

    @AfterEach
    void close() {
        a.close();
        b.close();
        wire.close();
    }

    private static NexodusNode node(AtomicReference<NetStack> stack) {
        return new NexodusNode(stack::get, () -> "test", () -> stack.get().close());
    }

    @Test
    void aConnectionCarriesBytesBothWaysWithHalfClose() throws Exception {
        assertThat(a.tunnelAddress()).isEqualTo(A);
        assertThat(a.tunnelAddressV6()).isEmpty();
        try (ServerSocket server = b.listen(8080)) {
            assertThat(server.getLocalPort()).isEqualTo(8080);
            assertThat(server.getInetAddress()).isEqualTo(B);
            byte[] data = new byte[3 << 20];
            new SplittableRandom(7).nextBytes(data);
            Thread echo = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    assertThat(s.getInetAddress()).isEqualTo(A);
                    assertThat(s.getLocalPort()).isEqualTo(8080);
                    s.getInputStream().transferTo(s.getOutputStream()); // until the client's FIN
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket c = a.connect(B, 8080)) {
                assertThat(c.isConnected()).isTrue();
                assertThat(c.getRemoteSocketAddress()).isEqualTo(new InetSocketAddress(B, 8080));
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        c.getOutputStream().write(data);
                        c.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                byte[] back = c.getInputStream().readAllBytes();
                writer.join();
                assertThat(MessageDigest.getInstance("SHA-256").digest(back))
                        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
                assertThat(c.isOutputShutdown()).isTrue();
            }
            echo.join();
        }
    }

    @Test
    void aClosedPortRefusesAndReadsTimeOut() throws Exception {
        assertThatThrownBy(() -> a.connect(B, 81)).isInstanceOf(ConnectException.class);
        try (ServerSocket server = b.listen(0)) {
            assertThat(server.getLocalPort()).isPositive();
            server.setSoTimeout(100);
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
            server.setSoTimeout(0);
            try (Socket c = a.connect(B, server.getLocalPort());
                    Socket s = server.accept()) {
                c.setSoTimeout(100);
                assertThat(c.getSoTimeout()).isEqualTo(100);
                assertThatThrownBy(() -> c.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
                s.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
                assertThat(c.getInputStream().readNBytes(2)).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
                InputStream in = c.getInputStream();
                c.shutdownInput();
                assertThat(in.read()).isEqualTo(-1);
                assertThatThrownBy(c::getInputStream).hasMessageContaining("shutdown");
            }
        }
        assertThatThrownBy(() -> b.listen(70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.connect(InetSocketAddress.createUnresolved("peer", 80), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tunnel address");
    }

    @Test
    void kernelSocketOperationsSayTheyAreNotSupported() throws Exception {
        try (ServerSocket server = b.listen(9000)) {
            Socket c = a.connect(B, 9000);
            Socket s = server.accept();
            assertThatThrownBy(() -> c.connect(new InetSocketAddress(B, 1)))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("already connected");
            assertThatThrownBy(() -> server.bind(new InetSocketAddress(0))).isInstanceOf(SocketException.class);
            assertThatThrownBy(() -> c.setTrafficClass(0x10))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("mesh socket");
            // buffer sizes are the stack's; a size asked for is a hint
            int receive = c.getReceiveBufferSize();
            assertThat(receive).isPositive();
            c.setReceiveBufferSize(1000);
            assertThat(c.getReceiveBufferSize()).isEqualTo(receive);
            assertThat(c.getSendBufferSize()).isPositive();
            assertThat(c.getTcpNoDelay()).isTrue();
            c.setKeepAlive(true);
            assertThat(c.getKeepAlive()).isTrue();
            assertThat(c.getChannel()).isNull();
            assertThat(c.toString()).contains("100.64.0.2:9000");
            // SO_LINGER 0: close resets, the peer's read fails
            c.setSoLinger(true, 0);
            c.close();
            assertThat(c.isClosed()).isTrue();
            assertThatThrownBy(c::getInputStream).isInstanceOf(SocketException.class);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class);
            s.close();
        }
    }

    @Test
    void theSocketFactoryConnectsLaterOrAtOnceAndRefusesNamesAndLocalBinds() throws Exception {
        SocketFactory factory = a.socketFactory();
        try (ServerSocket server = b.listen(7000)) {
            Thread echo = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = server.accept()) {
                        s.getOutputStream().write(s.getInputStream().read());
                        s.getInputStream().read(); // open until the client closes
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }
            });
            // as HTTP clients and drivers do: an unconnected socket, options, then connect with a timeout
            try (Socket c = factory.createSocket()) {
                assertThat(c.isConnected()).isFalse();
                assertThat(c.getRemoteSocketAddress()).isNull();
                assertThatThrownBy(c::getInputStream)
                        .isInstanceOf(SocketException.class)
                        .hasMessageContaining("not connected");
                c.setSoTimeout(300);
                c.connect(new InetSocketAddress(B, 7000), 5000);
                assertThat(c.isConnected()).isTrue();
                assertThat(c.getRemoteSocketAddress()).isEqualTo(new InetSocketAddress(B, 7000));
                assertThatThrownBy(() -> c.connect(new InetSocketAddress(B, 7000)))
                        .isInstanceOf(SocketException.class)
                        .hasMessageContaining("already connected");
                c.getOutputStream().write(42);
                assertThat(c.getInputStream().read()).isEqualTo(42);
                // the timeout set before connecting applies to the connection
                assertThatThrownBy(() -> c.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            }
            try (Socket c = factory.createSocket("100.64.0.2", 7000)) {
                c.getOutputStream().write(7);
                assertThat(c.getInputStream().read()).isEqualTo(7);
            }
            echo.join();
        }
        assertThatThrownBy(() -> factory.createSocket("db.example.com", 5432))
                .isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("no DNS");
        assertThatThrownBy(() -> factory.createSocket().connect(InetSocketAddress.createUnresolved("db", 5432)))
                .isInstanceOf(UnknownHostException.class);
        assertThatThrownBy(() -> factory.createSocket(B, 7000, A, 4000))
                .isInstanceOf(SocketException.class)
                .hasMessageContaining("local address");
        assertThatThrownBy(() -> factory.createSocket().connect(new InetSocketAddress(B, 7001), 5000))
                .isInstanceOf(ConnectException.class);
        Socket closedFirst = factory.createSocket();
        closedFirst.close();
        assertThatThrownBy(() -> closedFirst.connect(new InetSocketAddress(B, 7000)))
                .isInstanceOf(SocketException.class)
                .hasMessageContaining("closed");
    }

    /**
     * What PostgreSQL's JDBC driver instantiates for {@code socketFactory} (a class name, with {@code socketFactoryArg}
     * as its one argument): the mesh factory of the node registered under that name.
     */
    public static final class PgjdbcSockets extends SocketFactory {
        static final Map<String, SocketFactory> NODES = new ConcurrentHashMap<>();
        private final SocketFactory mesh;

        public PgjdbcSockets(String node) {
            this.mesh = NODES.get(node);
        }

        @Override
        public Socket createSocket() throws IOException {
            return mesh.createSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return mesh.createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return mesh.createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return mesh.createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return mesh.createSocket(address, port, localAddress, localPort);
        }
    }

    @Test
    void postgresqlsJdbcDriverReachesADatabaseOverTheMeshThroughTheSocketFactory() throws Exception {
        assumeTrue(Postgres.available(), "PostgreSQL server binaries (apt-get install postgresql)");
        Postgres pg = Postgres.get();
        String database = Postgres.databaseName(pg.newDatabase());
        PgjdbcSockets.NODES.put("a", a.socketFactory());
        // b publishes the kernel PostgreSQL at its mesh port 5432; a's driver sees only the mesh address
        try (MeshForward f = b.forward(5432, new InetSocketAddress(InetAddress.getLoopbackAddress(), pg.port()))) {
            Properties props = new Properties();
            props.setProperty("user", "postgres");
            props.setProperty("socketFactory", PgjdbcSockets.class.getName());
            props.setProperty("socketFactoryArg", "a");
            props.setProperty("connectTimeout", "10");
            props.setProperty("tcpKeepAlive", "true");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://100.64.0.2:5432/" + database, props);
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE over_the_mesh (n int, payload text)");
                st.execute("INSERT INTO over_the_mesh SELECT g, repeat('x', 1000) FROM generate_series(1, 2000) g");
                try (ResultSet rs =
                        st.executeQuery("SELECT count(*), sum(n), sum(length(payload)) FROM over_the_mesh")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(2000);
                    assertThat(rs.getLong(2)).isEqualTo(2000L * 2001 / 2);
                    assertThat(rs.getLong(3)).isEqualTo(2_000_000L);
                }
            }
            assertThat(f.connections()).isPositive();
        } finally {
            PgjdbcSockets.NODES.remove("a");
        }
    }

    @Test
    void forwardCarriesMeshConnectionsToAKernelServer() throws Exception {
        try (ServerSocket local = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                MeshForward f =
                        b.forward(80, new InetSocketAddress(InetAddress.getLoopbackAddress(), local.getLocalPort()))) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket s = local.accept()) {
                    byte[] req = s.getInputStream().readAllBytes();
                    s.getOutputStream().write(("got " + req.length).getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket c = a.connect(B, 80)) {
                c.getOutputStream().write(new byte[100_000]);
                c.shutdownOutput();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                c.getInputStream().transferTo(got);
                assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo("got 100000");
            }
            server.join();
            assertThat(f.connections()).isEqualTo(1);
            assertThat(f.meshPort()).isEqualTo(80);
        }
        // a dead target resets the mesh connection
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        try (MeshForward f = b.forward(81, new InetSocketAddress(InetAddress.getLoopbackAddress(), dead));
                Socket c = a.connect(B, 81)) {
            InputStream in = c.getInputStream();
            assertThatThrownBy(() -> in.read()).isInstanceOf(SocketException.class);
            assertThat(f.failures()).isEqualTo(1);
        }
    }

    @Test
    void udpDatagramsBothWays() throws Exception {
        try (UdpSocket ua = a.openUdp(5353);
                UdpSocket ub = b.openUdp(0)) {
            ub.send(new InetSocketAddress(A, 5353), "ping".getBytes(StandardCharsets.UTF_8));
            Datagram d = ua.receive(Duration.ofSeconds(5));
            assertThat(new String(d.data(), StandardCharsets.UTF_8)).isEqualTo("ping");
            ua.send(d.source(), "pong".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(ub.receive(Duration.ofSeconds(5)).data(), StandardCharsets.UTF_8))
                    .isEqualTo("pong");
        }
    }

    @Test
    void aServerSocketFollowsTheStackWhenTheTunnelAddressesChange() throws Exception {
        try (ServerSocket server = b.listen(7000)) {
            Thread accepter = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept();
                        OutputStream out = s.getOutputStream()) {
                    out.write(1);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100); // the accept waits on the old stack
            wire.replaceB(); // a re-registration: a new stack with the same address
            // the accept notices the replacement and listens again on the new stack; until it has, a connection is
            // refused (as while a kernel interface changes its addresses), so the peer tries again
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (true) {
                try (Socket c = a.connect(new InetSocketAddress(B, 7000), Duration.ofSeconds(5))) {
                    assertThat(c.getInputStream().read()).isEqualTo(1);
                    break;
                } catch (ConnectException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(20);
                }
            }
            accepter.join();
        }
    }

    @Test
    void aClosedNodeOpensNothing() {
        b.close();
        assertThatThrownBy(() -> b.listen(1))
                .isInstanceOf(SocketException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> b.connect(A, 1)).isInstanceOf(SocketException.class);
        assertThatThrownBy(b::tunnelAddress).isInstanceOf(IllegalStateException.class);
    }

    /** Two stacks joined by two queues, each drained by a virtual thread into the stack at the other end now. */
    private static final class Wire implements AutoCloseable {
        final AtomicReference<NetStack> a = new AtomicReference<>();
        final AtomicReference<NetStack> b = new AtomicReference<>();
        private final BlockingQueue<byte[]> toA = new LinkedBlockingQueue<>();
        private final BlockingQueue<byte[]> toB = new LinkedBlockingQueue<>();
        private final List<Thread> pumps;

        Wire() {
            a.set(stack(A, toB));
            b.set(stack(B, toA));
            pumps = List.of(pump(toA, a), pump(toB, b));
        }

        void replaceB() {
            NetStack old = b.getAndSet(stack(B, toA));
            old.close();
        }

        private static NetStack stack(InetAddress address, BlockingQueue<byte[]> out) {
            NetStack s = new NetStack(NetStackConfig.defaults(List.of(address)).withMtu(1420), out::add);
            s.start();
            return s;
        }

        private static Thread pump(BlockingQueue<byte[]> in, AtomicReference<NetStack> to) {
            return Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        byte[] p = in.take();
                        to.get().input(p, 0, p.length);
                    }
                } catch (InterruptedException e) {
                    // closed
                }
            });
        }

        @Override
        public void close() {
            pumps.forEach(Thread::interrupt);
            a.get().close();
            b.get().close();
        }
    }
}
