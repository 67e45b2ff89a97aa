package io.nexodus.nexd.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS over UDP on the given addresses: one platform thread per socket receives, and each query is answered on a
 * virtual thread (a forwarded one waits for the upstream), at most {@link #MAX_IN_FLIGHT} at a time; a query beyond
 * that is dropped and counted, and the client retries.
 */
final class DnsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    static final int MAX_IN_FLIGHT = 64;

    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final DnsAnswerer answerer;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    final LongAdder dropped = new LongAdder();
    private volatile boolean closed;

    private DnsServer(DnsAnswerer answerer) {
        this.answerer = answerer;
    }

    /**
     * Binds the addresses of {@code on} that can be bound (a new IPv6 address may still be tentative) and starts
     * serving; fails only when none can.
     */
    static DnsServer start(List<InetSocketAddress> on, DnsAnswerer answerer) throws IOException {
        DnsServer s = new DnsServer(answerer);
        IOException first = null;
        for (InetSocketAddress a : on) {
            try {
                s.sockets.add(new DatagramSocket(a));
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
                log.debug("DNS: cannot listen on {} yet: {}", a, e.getMessage());
            }
        }
        if (s.sockets.isEmpty()) {
            throw new IOException(
                    "cannot listen on " + on + ": " + (first == null ? "no address" : first.getMessage()), first);
        }
        for (DatagramSocket sock : s.sockets) {
            Thread.ofPlatform()
                    .daemon(true)
                    .name("nexd-dns-" + sock.getLocalSocketAddress())
                    .start(() -> s.serve(sock));
        }
        return s;
    }

    List<SocketAddress> localAddresses() {
        return sockets.stream().map(DatagramSocket::getLocalSocketAddress).toList();
    }

    private void serve(DatagramSocket sock) {
        byte[] buf = new byte[4096];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                sock.receive(p);
            } catch (IOException e) {
                if (!closed) {
                    log.warn("DNS on {}: {}", sock.getLocalSocketAddress(), e.getMessage());
                }
                return;
            }
            if (!inFlight.tryAcquire()) {
                dropped.increment();
                continue;
            }
            byte[] query = Arrays.copyOf(buf, p.getLength());
            SocketAddress client = p.getSocketAddress();
            Thread.ofVirtual().name("nexd-dns-query").start(() -> {
                try {
                    byte[] r = answerer.answer(query);
                    if (r != null && !closed) {
                        sock.send(new DatagramPacket(r, r.length, client));
                    }
                } catch (IOException | RuntimeException e) {
                    log.debug("DNS answer to {}: {}", client, e.toString());
                } finally {
                    inFlight.release();
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        sockets.forEach(DatagramSocket::close);
    }
}
