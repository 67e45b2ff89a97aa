package io.nexodus.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.netstack.Datagram;
import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.NetStackConfig;
import io.nexodus.netstack.UdpSocket;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
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
            assertThatThrownBy(() -> c.connect(new InetSocketAddress(B, 1))).isInstanceOf(SocketException.class);
            assertThatThrownBy(() -> server.bind(new InetSocketAddress(0))).isInstanceOf(SocketException.class);
            assertThatThrownBy(() -> c.setReceiveBufferSize(1000))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("mesh socket");
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
