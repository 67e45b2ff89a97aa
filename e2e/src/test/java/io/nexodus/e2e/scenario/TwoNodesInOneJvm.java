package io.nexodus.e2e.scenario;

import io.nexodus.node.MeshServerSocket;
import io.nexodus.node.NexodusNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * What {@code NodeScenariosIT} runs in a lab namespace: two nodes of the node library in one JVM, each with its own
 * state directory, joined to the same VPC with one registration key ({@code NEXODUS_REG_KEY},
 * {@code NEXODUS_CA_CERT}). The first serves a SHA-256 echo on mesh port 7000, the second sends it 1 MiB; then each
 * node downloads a file from a TUN peer's web server ({@code args[1]}); then the first node stops and the second must
 * still reach the peer. Prints one line per check ({@code ok ...}); any failure ends the JVM with exit code 1.
 *
 * <p>Usage: {@code TwoNodesInOneJvm <state-root> <peer-url-host:port/path>}.
 */
final class TwoNodesInOneJvm {
    private static final int ECHO_PORT = 7000;
    private static final int BYTES = 1 << 20;

    private TwoNodesInOneJvm() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String regKey = System.getenv("NEXODUS_REG_KEY");
        Path ca = Path.of(System.getenv("NEXODUS_CA_CERT"));
        NexodusNode one = null;
        NexodusNode two = null;
        int rc = 0;
        try {
            one = node(root.resolve("one"), "node-one", regKey, ca);
            two = node(root.resolve("two"), "node-two", regKey, ca);
            System.out.println("ok started " + one.tunnelAddress().getHostAddress() + " and "
                    + two.tunnelAddress().getHostAddress());
            MeshServerSocket server = one.listen(ECHO_PORT);
            Thread.ofVirtual().start(() -> serveDigests(server));
            byte[] data = new byte[BYTES];
            new SplittableRandom(7).nextBytes(data);
            String sent = HexFormat.of().formatHex(sha256(data));
            String echoed = sendForDigest(two, one.tunnelAddress(), data);
            if (!sent.equals(echoed)) {
                throw new IllegalStateException("digest " + echoed + " for data of digest " + sent);
            }
            System.out.println("ok node-two -> node-one " + BYTES + " bytes sha256 " + sent);

            String target = args[1];
            int slash = target.indexOf('/');
            int colon = target.lastIndexOf(':', slash);
            InetAddress peer = InetAddress.getByName(target.substring(0, colon));
            int port = Integer.parseInt(target.substring(colon + 1, slash));
            String path = target.substring(slash);
            System.out.println("ok node-one fetched sha256 " + fetch(one, peer, port, path));
            System.out.println("ok node-two fetched sha256 " + fetch(two, peer, port, path));
            server.close();
            NexodusNode first = one;
            one = null;
            first.close();
            System.out.println("ok node-two after node-one stopped fetched sha256 " + fetch(two, peer, port, path));
        } catch (Exception | Error e) {
            e.printStackTrace();
            rc = 1;
        } finally {
            for (NexodusNode n : new NexodusNode[] {one, two}) {
                if (n != null) {
                    n.close();
                }
            }
        }
        System.exit(rc); // nexd's threads must not keep the JVM alive after both nodes stopped
    }

    private static NexodusNode node(Path stateDir, String hostname, String regKey, Path ca) throws IOException {
        return NexodusNode.builder()
                .regKey(regKey)
                .caCert(ca)
                .stateDir(stateDir)
                .hostname(hostname)
                .start();
    }

    /** Reads a length-prefixed message and answers with its SHA-256, for each connection. */
    private static void serveDigests(MeshServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        DataInputStream in = new DataInputStream(s.getInputStream());
                        byte[] data = new byte[in.readInt()];
                        in.readFully(data);
                        OutputStream out = s.getOutputStream();
                        out.write(sha256(data));
                        out.flush();
                    } catch (IOException e) {
                        System.out.println("echo: " + e);
                    }
                });
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static String sendForDigest(NexodusNode from, InetAddress to, byte[] data) throws IOException {
        try (Socket s = from.connect(to, ECHO_PORT)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(data.length);
            out.write(data);
            out.flush();
            return HexFormat.of().formatHex(s.getInputStream().readNBytes(32));
        }
    }

    /** A plain HTTP/1.0 GET over a mesh connection; the SHA-256 of the body. */
    private static String fetch(NexodusNode node, InetAddress host, int port, String path) throws IOException {
        try (Socket s = node.connect(host, port)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: peer\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] response = s.getInputStream().readAllBytes();
            int body = indexOf(response, new byte[] {'\r', '\n', '\r', '\n'});
            if (body < 0 || !new String(response, 0, 12, StandardCharsets.US_ASCII).endsWith("200")) {
                throw new IOException("not a 200 answer: "
                        + new String(response, 0, Math.min(200, response.length), StandardCharsets.US_ASCII));
            }
            MessageDigest d = digest();
            d.update(response, body + 4, response.length - body - 4);
            return HexFormat.of().formatHex(d.digest());
        }
    }

    private static int indexOf(byte[] a, byte[] b) {
        for (int i = 0; i + b.length <= a.length; i++) {
            int j = 0;
            while (j < b.length && a[i + j] == b[j]) {
                j++;
            }
            if (j == b.length) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] sha256(byte[] data) {
        return digest().digest(data);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
