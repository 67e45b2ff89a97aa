package io.nexodus.derp.client;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.core.tls.CertificateNames;
import io.nexodus.derp.crypto.NaclBox;
import io.nexodus.derp.frame.BufferPool;
import io.nexodus.derp.frame.ClientInfo;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.FrameFormatException;
import io.nexodus.derp.frame.FrameLimits;
import io.nexodus.derp.frame.FrameReader;
import io.nexodus.derp.frame.FrameWriter;
import io.nexodus.derp.tls.MetaCert;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Opens one DERP connection: TCP, TLS (SNI, certificate check against {@code serverName}, ALPN http/1.1, TLS 1.2+),
 * the HTTP/1.1 upgrade (or fast start when the server's meta certificate is present), ServerKey, and our ClientInfo.
 * The ServerInfo reply is read by the session's reader.
 */
final class DerpDialer {
    private static final int MAX_HEADER_LINE = 8192;
    private static final int MAX_HEADERS = 100;

    private final DerpClientConfig config;
    private final SecureRandom random;

    DerpDialer(DerpClientConfig config, SecureRandom random) {
        this.config = config;
        this.random = random;
    }

    /** A connected socket past the key exchange, or an IOException that says which step failed. */
    ClientSession dial(BufferPool pool) throws IOException {
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        InetSocketAddress target =
                config.dialAddress().orElseGet(() -> new InetSocketAddress(config.host(), config.port()));
        if (target.isUnresolved()) {
            throw new IOException("cannot resolve DERP host " + target.getHostString());
        }
        Socket raw = new Socket();
        Socket socket = raw;
        try {
            raw.setTcpNoDelay(true);
            raw.connect(target, remainingMillis(deadline));
            Optional<NodePublicKey> metaKey = Optional.empty();
            if (config.tls()) {
                SSLSocket tls = startTls(raw, deadline);
                socket = tls;
                if (config.fastStart() && "TLSv1.3".equals(tls.getSession().getProtocol())) {
                    metaKey = MetaCert.find(tls.getSession().getPeerCertificates());
                }
            }
            socket.setSoTimeout(remainingMillis(deadline));
            FrameReader in = new FrameReader(socket.getInputStream(), FrameReader.DEFAULT_BUFFER, pool);
            FrameWriter out = new FrameWriter(socket.getOutputStream(), pool);
            out.writeRaw(request(metaKey.isPresent()));
            if (metaKey.isPresent()) {
                out.write(clientInfo(metaKey.get()));
                out.flush();
            } else {
                out.flush();
                readUpgradeResponse(in);
            }
            socket.setSoTimeout(remainingMillis(deadline));
            NodePublicKey serverKey = readServerKey(in);
            if (metaKey.isPresent() && !metaKey.get().equals(serverKey)) {
                throw new IOException(
                        "DERP server key " + serverKey + " differs from its meta certificate's " + metaKey.get());
            }
            if (metaKey.isEmpty()) {
                out.write(clientInfo(serverKey));
                out.flush();
            }
            return new ClientSession(socket, in, out, serverKey, metaKey.isPresent());
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            closeQuietly(raw);
            throw e;
        }
    }

    private SSLSocket startTls(Socket raw, long deadline) throws IOException {
        SSLContext ctx;
        try {
            ctx = config.sslContext().isPresent() ? config.sslContext().get() : SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no default TLS context", e);
        }
        String name = config.serverName().orElse(config.host());
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(raw, name, config.port(), true);
        SSLParameters p = tls.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        p.setApplicationProtocols(new String[] {"http/1.1"});
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!CertificateNames.isIpLiteral(name)) {
            p.setServerNames(List.of(new SNIHostName(name)));
        }
        tls.setSSLParameters(p);
        tls.setSoTimeout(remainingMillis(deadline));
        try {
            tls.startHandshake();
        } catch (IOException e) {
            throw new IOException("TLS handshake with " + name + " failed: " + e.getMessage(), e);
        }
        return tls;
    }

    private byte[] request(boolean fastStart) {
        String host = config.url().getPort() > 0
                ? config.url().getHost() + ":" + config.url().getPort()
                : config.url().getHost();
        StringBuilder b = new StringBuilder()
                .append("GET ")
                .append(config.path())
                .append(" HTTP/1.1\r\n")
                .append("Host: ")
                .append(host)
                .append("\r\n")
                .append("User-Agent: nexodus-derp/1\r\n")
                .append("Connection: Upgrade\r\n");
        if (fastStart) {
            b.append("Derp-Fast-Start: 1\r\n");
        }
        b.append("Upgrade: DERP\r\n\r\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private Frame clientInfo(NodePublicKey serverKey) throws IOException {
        ClientInfo info = config.meshKey().map(ClientInfo::meshPeer).orElseGet(ClientInfo::regular);
        try {
            byte[] sealed = NaclBox.sealTo(
                    config.privateKey(), serverKey, info.toJson().getBytes(StandardCharsets.UTF_8), random);
            return new Frame.ClientInfoFrame(config.privateKey().publicKey(), sealed);
        } catch (InvalidKeyException e) {
            throw new IOException("DERP server key " + serverKey + " is not usable: " + e.getMessage(), e);
        }
    }

    /** Reads the 101 response through the shared buffer; any other status is an error with the server's text. */
    private static void readUpgradeResponse(FrameReader in) throws IOException {
        String status = in.readLine(MAX_HEADER_LINE);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new ProtocolException("not an HTTP response from the DERP server: " + abbreviate(status));
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new ProtocolException("bad HTTP status line: " + abbreviate(status));
        }
        String upgrade = "";
        for (int i = 0; ; i++) {
            if (i > MAX_HEADERS) {
                throw new ProtocolException("too many HTTP headers from the DERP server");
            }
            String line = in.readLine(MAX_HEADER_LINE);
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Upgrade")) {
                upgrade = line.substring(colon + 1).trim();
            }
        }
        if (code != 101) {
            String body = "";
            try {
                body = in.readUpTo(4096).strip();
            } catch (IOException ignored) {
                // the status is the error
            }
            throw new IOException("DERP server answered HTTP " + code + " instead of 101"
                    + (body.isEmpty() ? "" : ": " + abbreviate(body)));
        }
        if (!upgrade.toLowerCase(Locale.ROOT).equals("derp")) {
            throw new ProtocolException("DERP server upgraded to '" + upgrade + "', not DERP");
        }
    }

    private static NodePublicKey readServerKey(FrameReader in) throws IOException {
        try {
            Frame f = in.readFrame(FrameLimits.CLIENT);
            if (f instanceof Frame.ServerKey k) {
                return k.key();
            }
            throw new ProtocolException("first DERP frame is " + f + ", not ServerKey");
        } catch (FrameFormatException e) {
            throw new ProtocolException("bad ServerKey frame: " + e.getMessage());
        }
    }

    private static int remainingMillis(long deadline) throws IOException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new SocketTimeoutException("DERP connect timed out");
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
