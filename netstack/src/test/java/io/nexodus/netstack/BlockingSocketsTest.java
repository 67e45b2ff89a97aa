package io.nexodus.netstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The blocking socket API in real time: two started stacks (timer threads) joined by lossy {@link ThreadedLink}s,
 * applications on virtual threads using streams, connect and accept.
 */
class BlockingSocketsTest {
    NetStack a;
    NetStack b;
    ThreadedLink ab;
    ThreadedLink ba;

    void start(double loss, double duplicate, double reorder) {
        NetStack[] s = new NetStack[2];
        ab = new ThreadedLink(1, loss, duplicate, reorder, () -> s[1]);
        ba = new ThreadedLink(2, loss, duplicate, reorder, () -> s[0]);
        a = new NetStack(NetStackConfig.defaults(List.of(PacketCodecTest.A4, PacketCodecTest.A6)), ab::send);
        b = new NetStack(NetStackConfig.defaults(List.of(PacketCodecTest.B4, PacketCodecTest.B6)), ba::send);
        s[0] = a;
        s[1] = b;
        a.start();
        b.start();
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        ab.close();
        ba.close();
    }

    @RepeatedTest(3)
    void concurrentEchoConnectionsOverALossyLink() throws Exception {
        start(0.01, 0.005, 0.02);
        TcpListener l = b.listen(7, 16);
        int connections = 8;
        int size = 1 << 20;
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    TcpSocket s = l.accept();
                    Thread.ofVirtual().start(() -> echo(s));
                }
            } catch (IOException e) {
                // listener closed: done
            }
        });
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<byte[][]>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int seed = c;
                results.add(vt.submit(() -> exchange(seed, size)));
            }
            for (Future<byte[][]> f : results) {
                byte[][] digests;
                try {
                    digests = f.get();
                } catch (ExecutionException e) {
                    throw new AssertionError("client:\n" + a.describe() + "server:\n" + b.describe(), e);
                }
                assertThat(digests[1]).isEqualTo(digests[0]);
            }
        }
        l.close();
        acceptor.join();
        assertThat(a.stats().tcpRetransmits()).isPositive();
        assertThat(a.stats().drops(DropReason.INTERNAL) + b.stats().drops(DropReason.INTERNAL))
                .isZero();
    }

    /** Echoes everything back, then closes. */
    private static void echo(TcpSocket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            s.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code size} random bytes (IPv6 for odd seeds), reads the echo; returns both SHA-256 digests. */
    private byte[][] exchange(int seed, int size) throws Exception {
        InetSocketAddress to = new InetSocketAddress(seed % 2 == 0 ? PacketCodecTest.B4 : PacketCodecTest.B6, 7);
        TcpSocket s = a.connect(to, Duration.ofSeconds(20));
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        sent.update(data);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < size; off += 10_000) {
                    out.write(data, off, Math.min(10_000, size - off));
                }
                s.shutdownOutput();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        s.setSoTimeout(Duration.ofSeconds(30));
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        int n;
        long total = 0;
        while ((n = in.read(buf)) > 0) {
            got.update(buf, 0, n);
            total += n;
        }
        writer.join();
        s.close();
        assertThat(total).isEqualTo(size);
        return new byte[][] {sent.digest(), got.digest()};
    }

    @Test
    void connectToAClosedPortIsRefusedAndReadTimesOut() throws Exception {
        start(0, 0, 0);
        assertThatThrownBy(() -> a.connect(new InetSocketAddress(PacketCodecTest.B4, 9), Duration.ofSeconds(5)))
                .isInstanceOf(ConnectException.class)
                .hasMessage("Connection refused");
        TcpListener l = b.listen(9, 1);
        TcpSocket c = a.connect(new InetSocketAddress(PacketCodecTest.B4, 9), Duration.ofSeconds(5));
        TcpSocket s = l.accept(Duration.ofSeconds(5));
        assertThat(s.remoteAddress()).isEqualTo(c.localAddress());
        c.setSoTimeout(Duration.ofMillis(100));
        assertThatThrownBy(() -> c.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        new DataOutputStream(s.getOutputStream()).writeLong(42);
        assertThat(new DataInputStream(c.getInputStream()).readLong()).isEqualTo(42);
        s.close();
        assertThat(c.getInputStream().read()).isEqualTo(-1);
        c.close();
        assertThatThrownBy(() -> l.accept(Duration.ofMillis(10))).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void aWriterBlockedOnAFullWindowWakesWhenTheReaderReads() throws Exception {
        start(0, 0, 0);
        TcpListener l = b.listen(9, 1);
        TcpSocket c = a.connect(new InetSocketAddress(PacketCodecTest.B4, 9), Duration.ofSeconds(5));
        TcpSocket s = l.accept(Duration.ofSeconds(5));
        int size = 2 * (256 + 256) * 1024; // twice what the send buffer and the peer's window hold together
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                c.getOutputStream().write(new byte[size]);
                c.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(200);
        assertThat(writer.isAlive()).as("writer blocked on a full window").isTrue();
        assertThat(s.getInputStream().readAllBytes()).hasSize(size);
        writer.join();
    }
}
