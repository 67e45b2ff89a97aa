package io.nexodus.e2e.lab;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;

/**
 * A checksummed TCP transfer for lab scenarios, run inside lab hosts with {@link LabNode#startJava}:
 * the sender streams an 8-byte length and that many pseudo-random bytes, the server answers with the SHA-256 of what
 * it received, and the sender compares it with its own. Nothing is buffered beyond one 64 KiB chunk.
 */
public final class TransferTool {
    private static final int CHUNK = 64 * 1024;
    private static final long MAX_BYTES = 1L << 40;
    private static final int MAX_CONNECTIONS = 64;
    private static final int SERVER_READ_TIMEOUT_MS = 30_000;

    private TransferTool() {}

    private static final String USAGE = """
            Usage: TransferTool serve --port PORT [--bind ADDRESS]
                   TransferTool send --to HOST:PORT --bytes N [--timeout-ms MS] [--seed S] [--bytes-per-second R]

            A checksummed TCP transfer for the NAT lab.
              serve  accept connections; for each, read an 8-byte length and that many bytes, reply with their
                     SHA-256. Prints "listening on ADDRESS:PORT" when ready and one line per transfer.
              send   connect (retrying failed attempts until --timeout-ms, default 30000), send N pseudo-random bytes,
                     compare the server's SHA-256. Prints "transfer ok bytes=N sha256=HEX attempts=K millis=M" and
                     exits 0; exits 2 on a checksum mismatch (never retried), 1 when no attempt succeeded in time.
                     --bytes-per-second paces the sender, so one connection spans a known time (0: as fast as
                     possible, the default).
            """;

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 64 : 0);
        }
        try {
            switch (args[0]) {
                case "serve" ->
                    serve(Integer.parseInt(option(args, "--port", null)), option(args, "--bind", "0.0.0.0"));
                case "send" ->
                    System.exit(send(
                            option(args, "--to", null),
                            Long.parseLong(option(args, "--bytes", null)),
                            Long.parseLong(option(args, "--timeout-ms", "30000")),
                            Long.parseLong(option(args, "--seed", Long.toString(System.nanoTime()))),
                            Long.parseLong(option(args, "--bytes-per-second", "0"))));
                default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("TransferTool: " + e.getMessage() + "\n\n" + USAGE);
            System.exit(64);
        }
    }

    private static String option(String[] args, String name, String dflt) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        if (dflt == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return dflt;
    }

    private static void serve(int port, String bind) throws IOException {
        Semaphore slots = new Semaphore(MAX_CONNECTIONS);
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(bind, port), 128);
            System.out.println("listening on " + bind + ":" + ss.getLocalPort());
            System.out.flush();
            while (true) {
                Socket s = ss.accept();
                if (!slots.tryAcquire()) {
                    s.close(); // bounded: a flood of connections cannot grow threads without limit
                    continue;
                }
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        receive(s);
                    } catch (IOException | RuntimeException e) {
                        System.out.println("transfer from " + s.getRemoteSocketAddress() + " failed: " + e);
                    } finally {
                        slots.release();
                    }
                });
            }
        }
    }

    private static void receive(Socket s) throws IOException {
        s.setSoTimeout(SERVER_READ_TIMEOUT_MS);
        DataInputStream in = new DataInputStream(s.getInputStream());
        long n = in.readLong();
        if (n < 0 || n > MAX_BYTES) {
            throw new IOException("refusing length " + n);
        }
        MessageDigest sha = sha256();
        byte[] buf = new byte[CHUNK];
        long left = n;
        InputStream raw = s.getInputStream();
        while (left > 0) {
            int r = raw.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("connection closed after " + (n - left) + " of " + n + " bytes");
            }
            sha.update(buf, 0, r);
            left -= r;
        }
        byte[] digest = sha.digest();
        s.getOutputStream().write(digest);
        s.getOutputStream().flush();
        System.out.println("received " + n + " bytes sha256=" + HexFormat.of().formatHex(digest) + " from "
                + s.getRemoteSocketAddress());
        System.out.flush();
    }

    private static int send(String to, long bytes, long timeoutMs, long seed, long bytesPerSecond)
            throws InterruptedException {
        int colon = to.lastIndexOf(':');
        if (colon <= 0 || bytes < 0 || bytes > MAX_BYTES || bytesPerSecond < 0) {
            throw new IllegalArgumentException("need --to HOST:PORT and 0 <= --bytes <= " + MAX_BYTES);
        }
        InetSocketAddress target =
                new InetSocketAddress(to.substring(0, colon), Integer.parseInt(to.substring(colon + 1)));
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        int attempts = 0;
        Exception last = null;
        while (true) {
            long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMs <= 0 && attempts > 0) {
                break;
            }
            attempts++;
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                Thread watchdog = closeAt(s, Math.max(1, remainingMs));
                try {
                    s.connect(target, (int) Math.max(1, Math.min(3000, remainingMs)));
                    s.setSoTimeout((int) Math.max(1, remainingMs));
                    byte[] sent = stream(s, bytes, seed, bytesPerSecond);
                    byte[] got = s.getInputStream().readNBytes(32);
                    if (got.length != 32) {
                        throw new IOException("server closed before sending the checksum");
                    }
                    String hex = HexFormat.of().formatHex(sent);
                    if (!Arrays.equals(sent, got)) {
                        System.out.println("transfer checksum mismatch: sent sha256=" + hex + " server got sha256="
                                + HexFormat.of().formatHex(got));
                        return 2;
                    }
                    System.out.println("transfer ok bytes=" + bytes + " sha256=" + hex + " attempts=" + attempts
                            + " millis=" + (System.nanoTime() - t0) / 1_000_000);
                    return 0;
                } finally {
                    watchdog.interrupt();
                }
            } catch (IOException e) {
                last = e;
                Thread.sleep(Math.max(0, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
            }
        }
        System.out.println("transfer failed after " + attempts + " attempts to " + to + ": " + last);
        return 1;
    }

    private static byte[] stream(Socket s, long bytes, long seed, long bytesPerSecond)
            throws IOException, InterruptedException {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeLong(bytes);
        MessageDigest sha = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buf = new byte[CHUNK];
        long left = bytes;
        long start = System.nanoTime();
        while (left > 0) {
            int n = (int) Math.min(buf.length, left);
            random.nextBytes(buf);
            sha.update(buf, 0, n);
            out.write(buf, 0, n);
            left -= n;
            if (bytesPerSecond > 0) {
                long dueNanos = (long) ((bytes - left) * 1e9 / bytesPerSecond);
                long aheadMillis = (dueNanos - (System.nanoTime() - start)) / 1_000_000;
                if (aheadMillis > 0) {
                    Thread.sleep(aheadMillis);
                }
            }
        }
        out.flush();
        s.shutdownOutput();
        return sha.digest();
    }

    /** Closes the socket when the time is up, so a write blocked on a dead path cannot hang the sender. */
    private static Thread closeAt(Socket s, long millis) {
        return Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(millis);
                s.close();
            } catch (InterruptedException | IOException e) {
                // finished in time, or already closed
            }
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
