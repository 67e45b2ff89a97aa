package io.nexodus.nexd.dns;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS on the given addresses, over UDP and TCP on the same port. UDP: one platform thread per socket receives, and
 * each query is answered on a virtual thread (a forwarded one waits for the upstream), at most {@link #MAX_IN_FLIGHT}
 * at a time; a query beyond that is dropped and counted, and the client retries. TCP (RFC 7766; what a client uses
 * after a truncated UDP answer): a virtual thread per connection answers its queries in order, at most
 * {@link #MAX_TCP_CONNECTIONS} connections (one more is closed at once and counted), each closed after
 * {@link #TCP_IDLE} without a query or on a malformed frame.
 */
final class DnsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    static final int MAX_IN_FLIGHT = 64;
    static final int MAX_TCP_CONNECTIONS = 32;
    static final Duration TCP_IDLE = Duration.ofSeconds(10);
    private static final Duration THREAD_EXIT = Duration.ofSeconds(2);

    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final List<ServerSocket> listeners = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>(); // per socket: UDP receiver, TCP acceptor
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final DnsAnswerer answerer;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Semaphore tcpSlots = new Semaphore(MAX_TCP_CONNECTIONS);
    final LongAdder dropped = new LongAdder();
    final LongAdder tcpQueries = new LongAdder();
    private volatile boolean closed;

    private DnsServer(DnsAnswerer answerer) {
        this.answerer = answerer;
    }

    /**
     * Binds the addresses of {@code on} that can be bound (a new IPv6 address may still be tentative), UDP and then
     * TCP on the port UDP got, and starts serving; fails only when no UDP socket can be bound. A TCP port that cannot
     * be bound leaves that address on UDP only (logged).
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
            s.threads.add(Thread.ofPlatform()
                    .daemon(true)
                    .name("nexd-dns-" + sock.getLocalSocketAddress())
                    .start(() -> s.serve(sock)));
            InetSocketAddress udp = (InetSocketAddress) sock.getLocalSocketAddress();
            try {
                ServerSocket l = new ServerSocket();
                l.setReuseAddress(true);
                l.bind(udp, 16);
                s.listeners.add(l);
                s.threads.add(Thread.ofVirtual().name("nexd-dns-tcp-accept").start(() -> s.accept(l)));
            } catch (IOException e) {
                log.warn("DNS: no TCP on {} (UDP only): {}", udp, e.getMessage());
            }
        }
        return s;
    }

    List<SocketAddress> localAddresses() {
        return sockets.stream().map(DatagramSocket::getLocalSocketAddress).toList();
    }

    /** The addresses served over TCP too. */
    List<SocketAddress> tcpAddresses() {
        return listeners.stream().map(ServerSocket::getLocalSocketAddress).toList();
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
                    byte[] r = answerer.answer(query, false);
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

    private void accept(ServerSocket l) {
        while (!closed) {
            Socket c;
            try {
                c = l.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("DNS over TCP on {}: {}", l.getLocalSocketAddress(), e.getMessage());
                }
                return;
            }
            if (!tcpSlots.tryAcquire()) {
                dropped.increment();
                closeQuietly(c);
                continue;
            }
            connections.add(c);
            Thread.ofVirtual().name("nexd-dns-tcp").start(() -> {
                try {
                    converse(c);
                } finally {
                    connections.remove(c);
                    closeQuietly(c);
                    tcpSlots.release();
                }
            });
        }
    }

    /** Answers the connection's queries in order until it closes, idles or sends a frame that is not a query. */
    private void converse(Socket c) {
        try {
            c.setSoTimeout((int) TCP_IDLE.toMillis());
            DataInputStream in = new DataInputStream(c.getInputStream());
            OutputStream out = c.getOutputStream();
            while (!closed) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException | SocketTimeoutException e) {
                    return; // the client is done, or idle
                }
                if (length < 2) {
                    answerer.malformed.increment();
                    return;
                }
                byte[] query = new byte[length];
                in.readFully(query);
                tcpQueries.increment();
                byte[] r = answerer.answer(query, true);
                if (r == null) {
                    return; // not a query (e.g. a response): nothing to say on this connection
                }
                out.write(framed(r));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("DNS over TCP with {}: {}", c.getRemoteSocketAddress(), e.toString());
        }
    }

    /** A DNS message as sent over TCP: its length in two bytes, then the message (RFC 1035 §4.2.2). */
    static byte[] framed(byte[] message) {
        byte[] f = new byte[message.length + 2];
        f[0] = (byte) (message.length >>> 8);
        f[1] = (byte) message.length;
        System.arraycopy(message, 0, f, 2, message.length);
        return f;
    }

    private static void closeQuietly(Socket c) {
        try {
            c.close();
        } catch (IOException e) {
            log.trace("closing a DNS connection: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        sockets.forEach(DatagramSocket::close);
        for (ServerSocket l : listeners) {
            try {
                l.close();
            } catch (IOException e) {
                log.trace("closing a DNS listener: {}", e.getMessage());
            }
        }
        connections.forEach(DnsServer::closeQuietly);
        // A socket closed while a thread waits in receive or accept on it keeps its port until that thread wakes and
        // leaves; a server started on the same port right after (new tunnel addresses) must find it free.
        for (Thread t : threads) {
            if (t == Thread.currentThread()) {
                continue;
            }
            try {
                if (!t.join(THREAD_EXIT)) {
                    log.debug("DNS: {} still running {} after close", t.getName(), THREAD_EXIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
