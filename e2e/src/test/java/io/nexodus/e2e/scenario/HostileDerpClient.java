package io.nexodus.e2e.scenario;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.TrustBundles;
import io.nexodus.derp.crypto.NaclBox;
import io.nexodus.derp.frame.ClientInfo;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.FrameCodec;
import io.nexodus.derp.frame.FrameLimits;
import io.nexodus.derp.frame.FrameReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A lab process that misbehaves against a real relay on purpose, one fresh connection per attack, and prints
 * {@code ATTACK <name> closed=<true|false>} for each: whether the relay closed the connection (EOF or reset within
 * five seconds). The attacks: a ForwardPacket claiming another client's key as its source (only mesh peers may send
 * ForwardPacket; an ordinary client's source is always the key it proved in the handshake), a frame longer than any
 * DERP frame, garbage bytes where frames belong, a ClientInfo whose box does not open, garbage instead of an HTTP
 * request, and garbage instead of TLS.
 *
 * <pre>HostileDerpClient HOST PORT SERVER_NAME CA_FILE VICTIM_SOURCE_HEX VICTIM_DEST_HEX</pre>
 */
public final class HostileDerpClient {
    private final InetSocketAddress relay;
    private final String serverName;
    private final SSLContext ssl;
    private final SecureRandom random = new SecureRandom();

    private HostileDerpClient(InetSocketAddress relay, String serverName, SSLContext ssl) {
        this.relay = relay;
        this.serverName = serverName;
        this.ssl = ssl;
    }

    public static void main(String[] args) throws Exception {
        HostileDerpClient h = new HostileDerpClient(
                new InetSocketAddress(args[0], Integer.parseInt(args[1])),
                args[2],
                TrustBundles.trusting(Path.of(args[3])));
        NodePublicKey victimSource = NodePublicKey.fromHex(args[4]);
        NodePublicKey victimDest = NodePublicKey.fromHex(args[5]);
        h.report("forged-forward-packet", h.forgedForward(victimSource, victimDest));
        h.report("oversized-frame", h.oversizedFrame(victimDest));
        h.report("garbage-frames", h.garbageFrames());
        h.report("bad-client-info-box", h.badBox());
        h.report("garbage-http", h.garbageHttp());
        h.report("garbage-tls", h.garbageTls());
    }

    private void report(String attack, boolean closed) {
        System.out.println("ATTACK " + attack + " closed=" + closed);
        System.out.flush();
    }

    /** A full handshake under our own fresh key, then a ForwardPacket that claims {@code source}. */
    private boolean forgedForward(NodePublicKey source, NodePublicKey dest) throws Exception {
        try (Conn c = upgraded()) {
            c.handshake(NodePrivateKey.generate());
            for (int i = 0; i < 5; i++) {
                c.write(FrameCodec.encode(new Frame.ForwardPacket(
                        source, dest, "forged by mallory".getBytes(StandardCharsets.US_ASCII))));
            }
            return c.closedByServer();
        }
    }

    /** A SendPacket header announcing 8 MiB, and the start of its payload. */
    private boolean oversizedFrame(NodePublicKey dest) throws Exception {
        try (Conn c = upgraded()) {
            c.handshake(NodePrivateKey.generate());
            ByteBuffer b = ByteBuffer.allocate(5 + 32 + 4096);
            b.put((byte) 0x04).putInt(8 << 20).put(dest.toRaw());
            c.write(b.array());
            return c.closedByServer();
        }
    }

    /** After the upgrade, random bytes instead of ClientInfo. */
    private boolean garbageFrames() throws Exception {
        try (Conn c = upgraded()) {
            byte[] junk = new byte[4096];
            random.nextBytes(junk);
            c.write(junk);
            return c.closedByServer();
        }
    }

    /** ClientInfo naming a key whose box is random bytes: the sender does not prove the key. */
    private boolean badBox() throws Exception {
        try (Conn c = upgraded()) {
            byte[] box = new byte[24 + 16 + 40];
            random.nextBytes(box);
            c.write(FrameCodec.encode(
                    new Frame.ClientInfoFrame(NodePrivateKey.generate().publicKey(), box)));
            return c.closedByServer();
        }
    }

    /** TLS, then random bytes instead of an HTTP request. */
    private boolean garbageHttp() throws Exception {
        try (Conn c = new Conn(tls())) {
            byte[] junk = new byte[2048];
            random.nextBytes(junk);
            c.write(junk);
            return c.closedByServer();
        }
    }

    /** Random bytes instead of a TLS ClientHello. */
    private boolean garbageTls() throws Exception {
        Socket s = new Socket();
        s.connect(relay, 5000);
        try (Conn c = new Conn(s)) {
            byte[] junk = new byte[2048];
            random.nextBytes(junk);
            c.write(junk);
            return c.closedByServer();
        }
    }

    private SSLSocket tls() throws IOException {
        Socket raw = new Socket();
        raw.connect(relay, 5000);
        SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(raw, serverName, relay.getPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(serverName)));
        p.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(p);
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    /** TLS + {@code GET /derp} with {@code Upgrade: DERP} + the 101 + the ServerKey frame. */
    private Conn upgraded() throws Exception {
        Conn c = new Conn(tls());
        c.write(("GET /derp HTTP/1.1\r\nHost: " + serverName + "\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        String status = c.in.readLine(1000);
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + status);
        }
        while (!c.in.readLine(8000).isEmpty()) {
            // headers
        }
        c.serverKey = ((Frame.ServerKey) c.in.readFrame(FrameLimits.CLIENT)).key();
        return c;
    }

    /** One connection. */
    private static final class Conn implements AutoCloseable {
        final Socket socket;
        final FrameReader in;
        final OutputStream out;
        NodePublicKey serverKey;
        boolean writeFailed;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(5000);
            InputStream raw = socket.getInputStream();
            this.in = new FrameReader(raw);
            this.out = socket.getOutputStream();
        }

        /** Writes; a write the server already refused (reset, broken pipe) counts as the server having closed. */
        void write(byte[] b) {
            try {
                out.write(b);
                out.flush();
            } catch (IOException e) {
                writeFailed = true;
            }
        }

        void handshake(NodePrivateKey key) throws Exception {
            byte[] sealed = NaclBox.sealTo(
                    key, serverKey, ClientInfo.regular().toJson().getBytes(StandardCharsets.UTF_8), new SecureRandom());
            write(FrameCodec.encode(new Frame.ClientInfoFrame(key.publicKey(), sealed)));
            if (!(in.readFrame(FrameLimits.CLIENT) instanceof Frame.ServerInfoFrame)) {
                throw new IOException("expected ServerInfo");
            }
        }

        /** Reads until the server ends the connection (true) or five seconds pass without that (false). */
        boolean closedByServer() {
            if (writeFailed) {
                return true;
            }
            try {
                InputStream raw = socket.getInputStream();
                byte[] b = new byte[8192];
                while (raw.read(b) >= 0) {
                    // whatever the server says first (a 400, a TLS alert): the question is whether it hangs up
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset or TLS close: the server hung up
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
