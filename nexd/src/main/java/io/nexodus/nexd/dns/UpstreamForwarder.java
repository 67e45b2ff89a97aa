package io.nexodus.nexd.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Forwards a query to the upstream resolvers in order, each with its own timeout, over the transport the client used:
 * UDP from a fresh socket (a random source port per query, so an off-path attacker must guess it), taking only an
 * answer from the server asked that carries the query's ID; TCP (RFC 7766, two-byte length prefix) on a fresh
 * connection, which is what a client does after a truncated UDP answer.
 */
final class UpstreamForwarder implements DnsAnswerer.Forwarder {
    private final List<InetSocketAddress> upstreams;
    private final Duration timeout;

    UpstreamForwarder(List<InetSocketAddress> upstreams, Duration timeout) {
        this.upstreams = List.copyOf(upstreams);
        this.timeout = timeout;
    }

    List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    @Override
    public Optional<byte[]> forward(byte[] query, boolean tcp) {
        if (query.length < 2 || query.length > 65535) {
            return Optional.empty();
        }
        for (InetSocketAddress up : upstreams) {
            try {
                Optional<byte[]> a = tcp ? overTcp(up, query) : overUdp(up, query);
                if (a.isPresent()) {
                    return a;
                }
            } catch (IOException e) {
                // unreachable, refused or cut off: the next upstream
            }
        }
        return Optional.empty();
    }

    private Optional<byte[]> overUdp(InetSocketAddress up, byte[] query) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout((int) timeout.toMillis());
            s.send(new DatagramPacket(query, query.length, up));
            byte[] buf = new byte[65535];
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (p.getLength() >= 2 && p.getSocketAddress().equals(up) && buf[0] == query[0] && buf[1] == query[1]) {
                    return Optional.of(Arrays.copyOf(buf, p.getLength()));
                }
            }
        }
        return Optional.empty();
    }

    private Optional<byte[]> overTcp(InetSocketAddress up, byte[] query) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(up, (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.write(DnsServer.framed(query));
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int length = in.readUnsignedShort();
            byte[] answer = new byte[length];
            in.readFully(answer);
            return length >= 2 && answer[0] == query[0] && answer[1] == query[1]
                    ? Optional.of(answer)
                    : Optional.empty();
        }
    }
}
