package io.nexodus.netstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Two stacks transferring 10 MB to each other over a {@link SimulatedLink} (100 Mbit/s, 10 ms one way), checked
 * with SHA-256, clean and under loss, duplication and reordering; then both close and leave TIME_WAIT.
 */
class TcpTransferTest {
    static final int SIZE = 10 * 1024 * 1024;
    static final InetAddress A4 = PacketCodecTest.A4;
    static final InetAddress B4 = PacketCodecTest.B4;

    record Result(long simulatedMillis, NetStackStats sender, NetStackStats receiver, String link) {
        @Override
        public String toString() {
            return simulatedMillis + " ms simulated, " + (SIZE * 8L / 1000 / Math.max(1, simulatedMillis))
                    + " Mbit/s; sender: retransmits=" + sender.tcpRetransmits() + " spurious="
                    + sender.tcpSpuriousRetransmits() + " timeouts=" + sender.tcpTimeouts()
                    + "; receiver out-of-window="
                    + receiver.drops(DropReason.TCP_OUT_OF_WINDOW) + "; link: " + link;
        }
    }

    static Result transfer(
            InetAddress a, InetAddress b, NetStackConfig config, SimulatedLink.Impairments imp, int readerBytesPerMs)
            throws Exception {
        SimulatedLink link = new SimulatedLink(a, b, config, imp, 10_000_000L, 100_000_000L, 256, 42);
        TcpListener l = link.b.listen(5001, 4);
        TcpConnection client;
        link.a.lock().lock();
        try {
            client = link.a.openActive(new InetSocketAddress(b, 5001));
        } finally {
            link.a.lock().unlock();
        }
        TcpConnection[] server = new TcpConnection[1];
        assertThat(link.runUntil(
                        () -> {
                            link.b.lock().lock();
                            try {
                                server[0] = l.poll();
                            } finally {
                                link.b.lock().unlock();
                            }
                            return server[0] != null;
                        },
                        Duration.ofSeconds(10).toNanos()))
                .isTrue();
        assertThat(client.state).isEqualTo(TcpState.ESTABLISHED);

        byte[] data = new byte[SIZE];
        new SplittableRandom(1).nextBytes(data);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        sent.update(data);
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        int[] written = {0};
        long[] read = {0};
        boolean[] eof = {false};
        byte[] buf = new byte[64 * 1024];
        long start = link.clock.nanos();
        boolean done = link.runUntil(
                () -> {
                    link.a.lock().lock();
                    try {
                        if (written[0] < SIZE) {
                            written[0] += client.sender.write(data, written[0], SIZE - written[0]);
                            if (written[0] == SIZE) {
                                client.shutdownOutput();
                            }
                        }
                    } finally {
                        link.a.lock().unlock();
                    }
                    link.b.lock().lock();
                    try {
                        int budget = readerBytesPerMs <= 0 ? Integer.MAX_VALUE : readerBytesPerMs;
                        int n;
                        while (budget > 0 && (n = server[0].read(buf, 0, Math.min(buf.length, budget))) > 0) {
                            got.update(buf, 0, n);
                            read[0] += n;
                            budget -= n;
                        }
                        if (server[0].eof && server[0].recvBuf.size() == 0 && !eof[0]) {
                            eof[0] = true;
                            server[0].close();
                        }
                    } finally {
                        link.b.lock().unlock();
                    }
                    return eof[0];
                },
                Duration.ofMinutes(10).toNanos());
        assertThat(done).as("transfer finished; " + link + " read " + read[0]).isTrue();
        long simulated = (link.clock.nanos() - start) / 1_000_000;
        assertThat(read[0]).isEqualTo(SIZE);
        assertThat(got.digest()).isEqualTo(sent.digest());
        // both ends finish their close: the client through TIME_WAIT, the server through LAST_ACK
        assertThat(link.runUntil(
                        () -> link.a.stats().tcpConnections() == 0
                                && link.b.stats().tcpConnections() == 0,
                        Duration.ofMinutes(3).toNanos()))
                .as("both connections gone; client " + client.state)
                .isTrue();
        assertThat(client.error).isNull();
        assertThat(server[0].error).isNull();
        NetStackStats sa = link.a.stats();
        NetStackStats sb = link.b.stats();
        assertThat(sa.drops(DropReason.INTERNAL) + sb.drops(DropReason.INTERNAL))
                .isZero();
        return new Result(simulated, sa, sb, link.toString());
    }

    static NetStackConfig config() {
        return NetStackConfig.defaults(List.of(A4));
    }

    @Test
    void tenMegabytesOverACleanLink() throws Exception {
        Result r = transfer(A4, B4, config(), SimulatedLink.Impairments.NONE, 0);
        System.out.println("netstack transfer, clean link: " + r);
        assertThat(r.sender().tcpTimeouts()).isZero();
        // 10 MiB at 100 Mbit/s is 0.84 s; slow start and the 256 KiB window (at 20 ms RTT: ~100 Mbit/s) add little
        assertThat(r.simulatedMillis()).isLessThan(3000);
    }

    @Test
    void tenMegabytesUnderOnePercentLossReorderingAndDuplication() throws Exception {
        Result r = transfer(A4, B4, config(), new SimulatedLink.Impairments(0.01, 0.005, 0.02, 3_000_000L), 0);
        System.out.println("netstack transfer, 1% loss, 2% reordered, 0.5% duplicated: " + r);
        assertThat(r.sender().tcpRetransmits()).isPositive();
        assertThat(r.simulatedMillis()).isLessThan(60_000);
    }

    @Test
    void tenMegabytesOverIpv6ToASlowReader() throws Exception {
        InetAddress a6 = PacketCodecTest.A6;
        InetAddress b6 = PacketCodecTest.B6;
        // the reader takes 2 MB/s (16 Mbit/s): the window closes and reopens all the time
        Result r = transfer(
                a6,
                b6,
                NetStackConfig.defaults(List.of(a6)).withBuffers(64 * 1024, 32 * 1024),
                new SimulatedLink.Impairments(0.005, 0, 0.01, 2_000_000L),
                2000);
        System.out.println("netstack transfer, IPv6, 0.5% loss, slow reader: " + r);
        assertThat(r.simulatedMillis()).isGreaterThan(5000);
    }

    /**
     * Both directions at once under loss: each side's retransmissions go back to its first unacknowledged byte while
     * it also acknowledges the other side's data (pure ACKs must stay acceptable to the peer after such a rollback).
     */
    @Test
    void fourMegabytesEachWayAtOnceUnderLoss() throws Exception {
        SimulatedLink link = new SimulatedLink(
                A4,
                B4,
                config(),
                new SimulatedLink.Impairments(0.02, 0.005, 0.02, 3_000_000L),
                10_000_000L,
                100_000_000L,
                256,
                7);
        TcpListener l = link.b.listen(7, 4);
        TcpConnection[] ends = new TcpConnection[2];
        link.a.lock().lock();
        try {
            ends[0] = link.a.openActive(new InetSocketAddress(B4, 7));
        } finally {
            link.a.lock().unlock();
        }
        assertThat(link.runUntil(
                        () -> {
                            link.b.lock().lock();
                            try {
                                ends[1] = l.poll();
                            } finally {
                                link.b.lock().unlock();
                            }
                            return ends[1] != null;
                        },
                        Duration.ofSeconds(10).toNanos()))
                .isTrue();
        int size = 4 * 1024 * 1024;
        byte[][] data = new byte[2][size];
        new SplittableRandom(2).nextBytes(data[0]);
        new SplittableRandom(3).nextBytes(data[1]);
        NetStack[] stacks = {link.a, link.b};
        int[] written = new int[2];
        MessageDigest[] got = {MessageDigest.getInstance("SHA-256"), MessageDigest.getInstance("SHA-256")};
        long[] read = new long[2];
        byte[] buf = new byte[64 * 1024];
        boolean done = link.runUntil(
                () -> {
                    for (int i = 0; i < 2; i++) {
                        stacks[i].lock().lock();
                        try {
                            TcpConnection c = ends[i];
                            if (written[i] < size) {
                                written[i] += c.sender.write(data[i], written[i], size - written[i]);
                                if (written[i] == size) {
                                    c.shutdownOutput();
                                }
                            }
                            int n;
                            while ((n = c.read(buf, 0, buf.length)) > 0) {
                                got[i].update(buf, 0, n);
                                read[i] += n;
                            }
                        } finally {
                            stacks[i].lock().unlock();
                        }
                    }
                    return ends[0].eof && ends[1].eof;
                },
                Duration.ofMinutes(10).toNanos());
        assertThat(done)
                .as("both directions finished; " + link + "\n" + link.a.describe() + link.b.describe())
                .isTrue();
        assertThat(read).containsExactly(size, size);
        assertThat(got[0].digest())
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data[1]));
        assertThat(got[1].digest())
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data[0]));
        assertThat(link.a.stats().tcpTimeouts() + link.b.stats().tcpTimeouts()).isPositive();
        System.out.println("netstack transfer, 4 MiB each way at once, 2% loss: " + link.clock.nanos() / 1_000_000
                + " ms simulated total; timeouts " + link.a.stats().tcpTimeouts() + "+"
                + link.b.stats().tcpTimeouts()
                + "; link: " + link);
    }
}
