package io.nexodus.stun;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A STUN server answering Binding Requests on one or more UDP sockets (the service binds 3478 and 3479; {@code nexd
 * relayderp} binds one). What it answers is {@link BindingResponder}'s decision.
 * <p>
 * Each socket is served by one dedicated platform thread running a blocking receive → respond → send loop with two
 * reusable direct buffers. That is the hot packet loop the architecture reserves platform threads for: a virtual
 * thread would add a park/unpark through the JDK's I/O poller per datagram for no gain (there is exactly one task per
 * socket, nothing to multiplex); {@code bench/scripts/stun-throughput.sh} measures both.
 * <p>
 * Bound to a wildcard address on a multi-homed host, replies leave from whatever source address the kernel routes
 * from, which may not be the address the client targeted (Java has no IP_PKTINFO); bind each public address
 * explicitly in that case.
 */
public final class StunServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StunServer.class);

    /** Counter snapshot. {@code received} = the sum of the four dispositions. */
    public record Stats(
            long received, long successResponses, long errorResponses, long malformed, long ignored, long sendErrors) {}

    private final List<DatagramChannel> channels;
    private final List<InetSocketAddress> localAddresses;
    private final List<Thread> threads = new ArrayList<>();
    private final BindingResponder responder;
    private final LongAdder received = new LongAdder();
    private final LongAdder success = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder ignored = new LongAdder();
    private final LongAdder sendErrors = new LongAdder();
    private final LongAdder bugs = new LongAdder();
    private volatile boolean closed;

    private StunServer(
            List<DatagramChannel> channels, List<InetSocketAddress> localAddresses, StunServerConfig config) {
        this.channels = channels;
        this.localAddresses = localAddresses;
        this.responder = new BindingResponder(config.software());
    }

    /** Serves STUN on one UDP address (port 0 = ephemeral) with default settings. */
    public static StunServer start(InetSocketAddress address) throws IOException {
        return start(List.of(address), StunServerConfig.defaults());
    }

    /** Serves STUN on every address; if any cannot be bound, none stays bound and the IOException names it. */
    public static StunServer start(List<InetSocketAddress> addresses, StunServerConfig config) throws IOException {
        return start(addresses, config, Thread.ofPlatform().daemon().factory());
    }

    /** As {@link #start(List, StunServerConfig)} with the loop threads from {@code threads} (benchmarks). */
    static StunServer start(List<InetSocketAddress> addresses, StunServerConfig config, ThreadFactory threads)
            throws IOException {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no address to serve STUN on");
        }
        List<DatagramChannel> channels = new ArrayList<>();
        List<InetSocketAddress> bound = new ArrayList<>();
        try {
            for (InetSocketAddress address : addresses) {
                Addresses.requireResolved(address);
                DatagramChannel ch = address.getAddress() instanceof Inet4Address
                        ? DatagramChannel.open(StandardProtocolFamily.INET)
                        : DatagramChannel.open();
                channels.add(ch);
                if (config.receiveBufferBytes() > 0) {
                    ch.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferBytes());
                }
                try {
                    ch.bind(address);
                } catch (IOException e) {
                    throw new IOException("cannot bind STUN on udp " + format(address) + ": " + e.getMessage(), e);
                }
                bound.add((InetSocketAddress) ch.getLocalAddress());
            }
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel ch : channels) {
                closeQuietly(ch);
            }
            throw e;
        }
        StunServer server = new StunServer(List.copyOf(channels), List.copyOf(bound), config);
        for (int i = 0; i < channels.size(); i++) {
            DatagramChannel ch = channels.get(i);
            Thread t = threads.newThread(() -> server.serve(ch));
            t.setName("stun-udp-" + bound.get(i).getPort());
            server.threads.add(t);
        }
        server.threads.forEach(Thread::start);
        for (InetSocketAddress a : bound) {
            log.info("STUN server listening on udp {}", format(a));
        }
        return server;
    }

    private void serve(DatagramChannel ch) {
        ByteBuffer in = ByteBuffer.allocateDirect(StunCodec.MAX_DATAGRAM);
        ByteBuffer out = ByteBuffer.allocateDirect(StunCodec.MAX_DATAGRAM);
        while (!closed) {
            SocketAddress from;
            in.clear();
            try {
                from = ch.receive(in);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!ch.isOpen()) {
                    return;
                }
                log.debug("STUN receive failed: {}", e.toString());
                continue;
            }
            if (from == null) {
                continue;
            }
            in.flip();
            received.increment();
            BindingResponder.Disposition d;
            try {
                d = responder.respond(in, (InetSocketAddress) from, out);
            } catch (RuntimeException e) {
                // A bug, not bad input (the decoder never throws): count it, keep serving, say so once in a while.
                malformed.increment();
                bugs.increment();
                if (bugs.sum() % 10_000 == 1) {
                    log.warn("STUN responder failed on a datagram from {} ({} so far)", from, bugs.sum(), e);
                }
                continue;
            }
            switch (d) {
                case MALFORMED -> malformed.increment();
                case IGNORED -> ignored.increment();
                case SUCCESS, ERROR -> {
                    (d == BindingResponder.Disposition.SUCCESS ? success : errors).increment();
                    try {
                        ch.send(out, from);
                    } catch (ClosedChannelException e) {
                        return;
                    } catch (IOException e) {
                        sendErrors.increment();
                        log.debug("STUN send to {} failed: {}", from, e.toString());
                    }
                }
            }
        }
    }

    /** The first socket's bound port (the only one when started with one address). */
    public int port() {
        return localAddresses.getFirst().getPort();
    }

    /** Every bound address, in the order given to {@code start}, with ephemeral ports resolved. */
    public List<InetSocketAddress> localAddresses() {
        return localAddresses;
    }

    public Stats stats() {
        return new Stats(received.sum(), success.sum(), errors.sum(), malformed.sum(), ignored.sum(), sendErrors.sum());
    }

    /** Closes every socket and waits for the loops to end. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        channels.forEach(StunServer::closeQuietly);
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.info("STUN server on {} stopped: {}", localAddresses, stats());
    }

    private static void closeQuietly(DatagramChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
    }

    private static String format(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
