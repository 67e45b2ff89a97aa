package io.nexodus.nexd.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Forwards a query over UDP to the upstream resolvers in order, each with its own timeout, from a fresh socket (a
 * random source port per query, so an off-path attacker must guess it), and takes only an answer from the server
 * asked that carries the query's ID.
 */
final class UdpForwarder implements DnsAnswerer.Forwarder {
    private final List<InetSocketAddress> upstreams;
    private final Duration timeout;

    UdpForwarder(List<InetSocketAddress> upstreams, Duration timeout) {
        this.upstreams = List.copyOf(upstreams);
        this.timeout = timeout;
    }

    List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    @Override
    public Optional<byte[]> forward(byte[] query) throws IOException {
        if (query.length < 2) {
            return Optional.empty();
        }
        for (InetSocketAddress up : upstreams) {
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
                    if (p.getLength() >= 2
                            && p.getSocketAddress().equals(up)
                            && buf[0] == query[0]
                            && buf[1] == query[1]) {
                        return Optional.of(Arrays.copyOf(buf, p.getLength()));
                    }
                }
            } catch (IOException e) {
                // unreachable or refused: the next upstream
            }
        }
        return Optional.empty();
    }
}
