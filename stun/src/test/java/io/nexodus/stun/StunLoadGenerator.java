package io.nexodus.stun;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop STUN load for {@code bench/scripts/stun-throughput.sh}: several sockets, each keeping a window of Binding
 * Requests in flight (a new request per response; the whole window again after a 20 ms silence, counted as a stall).
 * Requests are what our client sends (SOFTWARE + FINGERPRINT), pre-encoded with distinct transaction ids so the
 * generator spends its CPU on the socket calls, not on encoding. Prints one line of key=value results.
 * Lives in the stun test sources so the benchmark builds only the stun module.
 */
public final class StunLoadGenerator {
    private StunLoadGenerator() {}

    private static final String HELP = """
            usage: StunLoadGenerator HOST:PORT [--seconds N] [--warmup N] [--sockets N] [--window N]
              defaults: 5 s measured after 2 s warm-up, 4 sockets, 32 requests in flight per socket.
              Prints: target=… responses_per_sec=… responses_total=… stalls=… bad=…
            """;

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-h") || args[0].equals("--help")) {
            System.out.print(HELP);
            return;
        }
        InetSocketAddress target = StunTool.parse(args[0]);
        double seconds = 5;
        double warmup = 2;
        int sockets = 4;
        int window = 32;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--sockets" -> sockets = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + HELP);
            }
        }
        LongAdder measured = new LongAdder();
        LongAdder total = new LongAdder();
        LongAdder stalls = new LongAdder();
        LongAdder bad = new LongAdder();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < sockets; s++) {
            byte[][] requests = requests(s, 1024);
            int w = window;
            threads.add(Thread.ofPlatform().name("load-" + s).start(() -> {
                try {
                    run(target, requests, w, running, measuring, measured, total, stalls, bad);
                } catch (IOException e) {
                    System.err.println("load socket failed: " + e);
                }
            }));
        }
        Thread.sleep((long) (warmup * 1000));
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        measuring.set(false);
        double elapsed = (System.nanoTime() - start) / 1e9;
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf(
                "target=%s responses_per_sec=%.0f responses_total=%d stalls=%d bad=%d%n",
                StunTool.format(target), measured.sum() / elapsed, total.sum(), stalls.sum(), bad.sum());
    }

    private static void run(
            InetSocketAddress target,
            byte[][] requests,
            int window,
            AtomicBoolean running,
            AtomicBoolean measuring,
            LongAdder measured,
            LongAdder total,
            LongAdder stalls,
            LongAdder bad)
            throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(target.getAddress(), 0))) {
            socket.connect(target);
            socket.setSoTimeout(20);
            socket.setReceiveBufferSize(1 << 20);
            DatagramPacket in = new DatagramPacket(new byte[StunCodec.MAX_DATAGRAM], StunCodec.MAX_DATAGRAM);
            int next = 0;
            for (int i = 0; i < window; i++) {
                socket.send(new DatagramPacket(requests[next], requests[next].length));
                next = (next + 1) % requests.length;
            }
            while (running.get()) {
                try {
                    socket.receive(in);
                } catch (SocketTimeoutException e) {
                    stalls.increment();
                    for (int i = 0; i < window; i++) {
                        socket.send(new DatagramPacket(requests[next], requests[next].length));
                        next = (next + 1) % requests.length;
                    }
                    continue;
                }
                byte[] b = in.getData();
                if (in.getLength() >= 20 && b[0] == 0x01 && b[1] == 0x01) {
                    total.increment();
                    if (measuring.get()) {
                        measured.increment();
                    }
                } else {
                    bad.increment();
                }
                socket.send(new DatagramPacket(requests[next], requests[next].length));
                next = (next + 1) % requests.length;
            }
        }
    }

    private static byte[][] requests(int socket, int n) {
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            byte[] id = ByteBuffer.allocate(12)
                    .putInt(0x6e657830 + socket)
                    .putLong(i)
                    .array();
            ByteBuffer b = StunCodec.encode(new StunMessage(
                    StunMessageType.BINDING_REQUEST, new TransactionId(id), List.of(new Software("nexodus")), true));
            out[i] = new byte[b.remaining()];
            b.get(out[i]);
        }
        return out;
    }
}
