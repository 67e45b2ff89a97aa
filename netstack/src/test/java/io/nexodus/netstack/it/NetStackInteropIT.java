package io.nexodus.netstack.it;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.netstack.NetStackConfig;
import io.nexodus.netstack.TcpListener;
import io.nexodus.netstack.TcpSocket;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.Netns;
import io.nexodus.testkit.RequiresNetns;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack against Linux's own TCP: a kernel TUN inside a test namespace ({@code 10.77.0.1/24}, {@code fd77::1/64})
 * whose other end is the stack ({@code 10.77.0.2}, {@code fd77::2}). curl downloads from and uploads to an HTTP
 * server running on the stack; the stack downloads from {@code python3 -m http.server} in the namespace; every body
 * is checked with SHA-256; then the same again under loss and reordering (netem on the TUN where the kernel has the
 * module, and in any case drops and reordering between the TUN and the stack, both ways).
 */
@RequiresNetns(commands = {"curl", "python3", "tc", "ping", "sha256sum", "sh"})
class NetStackInteropIT {
    static final int SIZE = 10 * 1024 * 1024;
    static final String TUN = "nstk0";

    @TempDir
    Path tmp;

    Netns ns;
    TunAttachment att;
    TcpListener http;
    Thread server;
    byte[] body;

    @BeforeEach
    void setUp() throws Exception {
        ns = Netns.create("nstack");
        att = new TunAttachment(
                TunAttachment.createTunIn(ns.name(), TUN, 1420, false),
                NetStackConfig.defaults(List.of(InetAddress.getByName("10.77.0.2"), InetAddress.getByName("fd77::2")))
                        .withBuffers(512 * 1024, 512 * 1024));
        ns.exec("ip", "addr", "add", "10.77.0.1/24", "dev", TUN);
        ns.exec("ip", "addr", "add", "fd77::1/64", "dev", TUN, "nodad");
        ns.exec("ip", "link", "set", TUN, "up");
        body = new byte[SIZE];
        new SplittableRandom(5).nextBytes(body);
        http = att.stack.listen(8080, 64);
        server = Thread.ofVirtual().start(this::serve);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (http != null) {
            http.close();
        }
        if (server != null) {
            server.join(5000);
        }
        if (att != null) {
            att.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    /** A tiny HTTP/1.0 server on the stack: GET returns the body, POST returns the SHA-256 of what was posted. */
    private void serve() {
        try {
            while (true) {
                TcpSocket s = http.accept();
                Thread.ofVirtual().start(() -> handle(s));
            }
        } catch (IOException e) {
            // listener closed
        }
    }

    private void handle(TcpSocket s) {
        try (s) {
            s.setSoTimeout(Duration.ofSeconds(60));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            if (head.startsWith("GET ")) {
                out.write(("HTTP/1.0 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(US_ASCII));
                out.write(body);
            } else {
                long length = Long.parseLong(header(head, "content-length"));
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[64 * 1024];
                long left = length;
                if (head.toLowerCase(Locale.ROOT).contains("expect: 100-continue")) {
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(US_ASCII));
                    out.flush();
                }
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException("body ended after " + (length - left));
                    }
                    sha.update(buf, 0, n);
                    left -= n;
                }
                String hex = HexFormat.of().formatHex(sha.digest()) + "\n";
                out.write(("HTTP/1.0 200 OK\r\nContent-Length: " + hex.length() + "\r\n\r\n" + hex).getBytes(US_ASCII));
            }
            out.flush();
            s.shutdownOutput();
            // wait for the client's FIN so that close() is a clean FIN, not a reset of unread bytes
            while (in.read() >= 0) {
                // discard
            }
        } catch (Exception e) {
            System.err.println("netstack http server: " + e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            String s = b.toString(US_ASCII);
            if (s.endsWith("\r\n\r\n")) {
                return s;
            }
        }
        throw new IOException("request head ended early");
    }

    private static String header(String head, String name) {
        for (String line : head.lines().toList()) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        throw new IllegalArgumentException("no " + name + " in " + head);
    }

    private String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private Cmd.Result shell(String script) {
        return Cmd.tryRun(Duration.ofMinutes(2), ns.wrap(List.of("sh", "-c", script)))
                .orThrow();
    }

    /** curl GET from the stack (IPv4 and IPv6), curl POST to it, and the stack GETting from python's server. */
    private void exchange(String label) throws Exception {
        String expected = sha(body);
        long t0 = System.nanoTime();
        String got = shell("curl -sS --max-time 100 http://10.77.0.2:8080/ | sha256sum")
                .stdout()
                .trim();
        long t1 = System.nanoTime();
        assertThat(got).startsWith(expected);
        String got6 = shell("curl -sS -g --max-time 100 'http://[fd77::2]:8080/' | sha256sum")
                .stdout()
                .trim();
        assertThat(got6).startsWith(expected);

        Path file = tmp.resolve("upload.bin");
        Files.write(file, body);
        long t2 = System.nanoTime();
        String posted = shell(
                        "curl -sS --max-time 100 -H 'Expect:' --data-binary @" + file + " http://10.77.0.2:8080/upload")
                .stdout()
                .trim();
        long t3 = System.nanoTime();
        assertThat(posted).isEqualTo(expected);

        Path dir = Files.createDirectories(tmp.resolve("www"));
        Files.write(dir.resolve("blob"), body);
        try (ChildProcess py = ns.spawn(
                tmp.resolve("http.log"),
                List.of(
                        "python3",
                        "-u",
                        "-m",
                        "http.server",
                        "8000",
                        "--bind",
                        "10.77.0.1",
                        "--directory",
                        dir.toString()))) {
            py.awaitOutput("Serving HTTP", Duration.ofSeconds(20));
            long t4 = System.nanoTime();
            byte[] fetched = fetch(new InetSocketAddress("10.77.0.1", 8000), "/blob");
            long t5 = System.nanoTime();
            assertThat(sha(fetched)).isEqualTo(expected);
            System.out.printf(
                    "netstack interop (%s), 10 MiB each: curl GET from stack %d ms, curl POST to stack %d ms,"
                            + " stack GET from python %d ms; stack %s%n",
                    label, (t1 - t0) / 1_000_000, (t3 - t2) / 1_000_000, (t5 - t4) / 1_000_000, att.stack.stats());
        }
    }

    /** HTTP/1.0 GET through the stack; returns the body. */
    private byte[] fetch(InetSocketAddress server, String path) throws Exception {
        try (TcpSocket s = att.stack.connect(server, Duration.ofSeconds(10))) {
            s.setSoTimeout(Duration.ofSeconds(60));
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(US_ASCII));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.0 200");
            long length = Long.parseLong(header(head, "content-length"));
            byte[] b = in.readNBytes((int) length);
            assertThat(in.read()).isEqualTo(-1);
            return b;
        }
    }

    @Test
    void linuxTcpTalksToTheStackBothWays() throws Exception {
        String ping = shell("ping -c 3 -i 0.2 -W 2 10.77.0.2 && ping -c 2 -i 0.2 -W 2 fd77::2")
                .stdout();
        assertThat(ping).contains("3 received").contains("2 received");
        exchange("clean");
        // a closed port answers with RST: curl fails at once ("couldn't connect", exit 7), not after a timeout
        long before = att.stack.stats().tcpResetsSent();
        long t = System.nanoTime();
        Cmd.Result refused = Cmd.tryRun(Duration.ofSeconds(20), ns.wrap(List.of("curl", "-sS", "http://10.77.0.2:9/")));
        assertThat(refused.exitCode()).isEqualTo(7);
        assertThat(System.nanoTime() - t).isLessThan(Duration.ofSeconds(2).toNanos());
        assertThat(att.stack.stats().tcpResetsSent()).isEqualTo(before + 1);
    }

    @Test
    void underLossAndReordering() throws Exception {
        // tc netem where the kernel has it (it shapes what the kernel sends into the TUN); in any case the attachment
        // drops 1% and reorders 2% of the packets in both directions between the TUN and the stack
        Cmd.Result netem = ns.tryExec(
                "tc", "qdisc", "add", "dev", TUN, "root", "netem", "delay", "2ms", "loss", "1%", "reorder", "10%",
                "50%");
        att.impair(0.01, 0.02);
        exchange("1% loss, 2% reordered each way" + (netem.exitCode() == 0 ? " + netem 2ms 1% loss 10% reorder" : ""));
        assertThat(att.stack.stats().tcpRetransmits()).isPositive();
    }
}
