package io.nexodus.derp.testing;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.crypto.NaclBox;
import io.nexodus.derp.frame.ClientInfo;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.FrameCodec;
import io.nexodus.derp.frame.FrameFormatException;
import io.nexodus.derp.frame.FrameLimits;
import io.nexodus.derp.frame.FrameReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.SecureRandom;

/** A hand-driven DERP connection over plain TCP, for tests that misbehave on purpose. */
public final class RawDerp implements AutoCloseable {
    public final Socket socket;
    public final FrameReader in;
    public final OutputStream out;
    public NodePublicKey serverKey;

    private RawDerp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new FrameReader(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** TCP only. */
    public static RawDerp open(int port) throws IOException {
        return open(port, 0);
    }

    /** TCP only, with a receive buffer of {@code rcvBuf} bytes (0: the default). */
    public static RawDerp open(int port, int rcvBuf) throws IOException {
        Socket s = new Socket();
        if (rcvBuf > 0) {
            s.setReceiveBufferSize(rcvBuf);
        }
        s.connect(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), port), 5000);
        s.setSoTimeout(10_000);
        return new RawDerp(s);
    }

    /** TCP + the HTTP upgrade + ServerKey, without ClientInfo. */
    public static RawDerp upgraded(int port) throws IOException {
        return upgraded(port, 0);
    }

    public static RawDerp upgraded(int port, int rcvBuf) throws IOException {
        RawDerp r = open(port, rcvBuf);
        r.out.write("GET /derp HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: DERP\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        r.out.flush();
        String status = r.in.readLine(1000);
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + status);
        }
        while (!r.in.readLine(8000).isEmpty()) {
            // headers
        }
        try {
            r.serverKey = ((Frame.ServerKey) r.in.readFrame(FrameLimits.CLIENT)).key();
        } catch (Exception e) {
            throw new IOException(e);
        }
        return r;
    }

    /** A full handshake as {@code key}; returns after ServerInfo. */
    public static RawDerp connected(int port, NodePrivateKey key) throws IOException {
        return connected(port, key, 0);
    }

    public static RawDerp connected(int port, NodePrivateKey key, int rcvBuf) throws IOException {
        RawDerp r = upgraded(port, rcvBuf);
        r.sendClientInfo(key, ClientInfo.regular());
        try {
            Frame f = r.in.readFrame(FrameLimits.CLIENT);
            if (!(f instanceof Frame.ServerInfoFrame)) {
                throw new IOException("expected ServerInfo, got " + f);
            }
        } catch (FrameFormatException e) {
            throw new IOException(e);
        }
        return r;
    }

    public void sendClientInfo(NodePrivateKey key, ClientInfo info) throws IOException {
        try {
            byte[] sealed =
                    NaclBox.sealTo(key, serverKey, info.toJson().getBytes(StandardCharsets.UTF_8), new SecureRandom());
            write(new Frame.ClientInfoFrame(key.publicKey(), sealed));
        } catch (InvalidKeyException e) {
            throw new IOException(e);
        }
    }

    /** The next RecvPacket, skipping keepalives and other frames. */
    public Frame.RecvPacket nextPacket() throws IOException {
        while (true) {
            try {
                if (in.readFrame(FrameLimits.CLIENT) instanceof Frame.RecvPacket p) {
                    return p;
                }
            } catch (FrameFormatException e) {
                throw new IOException(e);
            }
        }
    }

    /** The next frame. */
    public Frame next() throws IOException {
        try {
            return in.readFrame(FrameLimits.CLIENT);
        } catch (FrameFormatException e) {
            throw new IOException(e);
        }
    }

    public void write(Frame f) throws IOException {
        out.write(FrameCodec.encode(f));
        out.flush();
    }

    public void writeRaw(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    /** Whether the server closed the connection (EOF) within the socket timeout. */
    public boolean closedByServer() {
        try {
            while (true) {
                in.readFrame(FrameLimits.CLIENT);
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
