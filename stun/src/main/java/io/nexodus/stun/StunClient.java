package io.nexodus.stun;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A STUN Binding client over a caller-provided {@link StunTransport}: each {@link #bind} sends a Binding Request
 * (SOFTWARE + FINGERPRINT), retransmits it on the RFC 8489 schedule of its {@link StunClientConfig}, and returns when
 * the response with the same transaction id arrives through {@link #deliver} or the schedule runs out.
 * <p>
 * The agent creates one over its WireGuard UDP socket (so the reflexive address learned is the tunnel's mapping) and
 * routes datagrams for which {@link StunCodec#looksLikeStun} is true to {@link #deliver}. {@link #open} is the
 * convenience mode that owns its own socket.
 * <p>
 * Thread-safe: any number of transactions may run at once (up to {@value #MAX_OUTSTANDING}); {@code bind} blocks the
 * calling thread (use a virtual thread, or {@link #bindAsync}).
 */
public final class StunClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StunClient.class);
    static final int MAX_OUTSTANDING = 256;

    private record Pending(InetSocketAddress server, CompletableFuture<StunMessage> answer) {}

    private final StunTransport transport;
    private final StunClientConfig config;
    private final RetransmissionSchedule schedule;
    private final TransactionClock clock;
    private final RandomGenerator random;
    private final ConcurrentHashMap<TransactionId, Pending> pending = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();
    private final DatagramChannel ownChannel;
    private volatile boolean closed;

    /** A client sending through {@code transport}; the caller delivers responses with {@link #deliver}. */
    public StunClient(StunTransport transport, StunClientConfig config) {
        this(transport, config, TransactionClock.SYSTEM, new SecureRandom(), null);
    }

    StunClient(
            StunTransport transport,
            StunClientConfig config,
            TransactionClock clock,
            RandomGenerator random,
            DatagramChannel ownChannel) {
        if (transport == null || config == null) {
            throw new IllegalArgumentException("transport and config are required");
        }
        this.transport = transport;
        this.config = config;
        this.schedule = RetransmissionSchedule.of(config);
        this.clock = clock;
        this.random = random;
        this.ownChannel = ownChannel;
    }

    /**
     * A client with its own UDP socket bound to {@code local} (port 0 = ephemeral) and a receiver thread that
     * delivers responses; {@link #close} releases both.
     */
    public static StunClient open(InetSocketAddress local, StunClientConfig config) throws IOException {
        DatagramChannel ch = local.getAddress() instanceof Inet4Address
                ? DatagramChannel.open(StandardProtocolFamily.INET)
                : DatagramChannel.open();
        try {
            ch.bind(local);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        StunClient client = new StunClient(
                (datagram, to) -> ch.send(datagram, to), config, TransactionClock.SYSTEM, new SecureRandom(), ch);
        Thread.ofVirtual()
                .name("stun-client-rx-" + ((InetSocketAddress) ch.getLocalAddress()).getPort())
                .start(client::receiveLoop);
        return client;
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocate(StunCodec.MAX_DATAGRAM);
        while (!closed) {
            buf.clear();
            SocketAddress from;
            try {
                from = ownChannel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!ownChannel.isOpen()) {
                    return;
                }
                log.debug("STUN client receive failed: {}", e.toString());
                continue;
            }
            deliver(buf.flip(), (InetSocketAddress) from);
        }
    }

    /** The bound address of the socket {@link #open} created; empty for a client over a caller's transport. */
    public Optional<InetSocketAddress> localAddress() {
        try {
            return ownChannel == null
                    ? Optional.empty()
                    : Optional.of((InetSocketAddress) ownChannel.getLocalAddress());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Runs one Binding transaction with {@code server} and blocks until it ends. Never throws for network trouble:
     * that is a {@link BindingResult.Timeout} or {@link BindingResult.Failure}.
     */
    public BindingResult bind(InetSocketAddress server) throws InterruptedException {
        Addresses.requireResolved(server);
        if (closed) {
            return new BindingResult.Failure(server, "STUN client is closed");
        }
        if (pending.size() >= MAX_OUTSTANDING) {
            return new BindingResult.Failure(server, "too many STUN transactions in flight (" + MAX_OUTSTANDING + ")");
        }
        TransactionId id = TransactionId.random(random);
        CompletableFuture<StunMessage> answer = new CompletableFuture<>();
        pending.put(id, new Pending(server, answer));
        try {
            if (closed) {
                return new BindingResult.Failure(server, "STUN client is closed");
            }
            ByteBuffer request = StunCodec.encode(request(id));
            long start = clock.nanoTime();
            int attempts = 0;
            IOException lastError = null;
            for (long offset : schedule.sendOffsetsNanos()) {
                if (clock.await(answer, start + offset)) {
                    break;
                }
                attempts++;
                try {
                    transport.send(request.duplicate(), server);
                    lastError = null;
                } catch (IOException e) {
                    lastError = e;
                }
            }
            Duration elapsed;
            if (!clock.await(answer, start + schedule.giveUpNanos())) {
                elapsed = Duration.ofNanos(clock.nanoTime() - start);
                return lastError != null
                        ? new BindingResult.Failure(server, "cannot send to " + server + ": " + lastError.getMessage())
                        : new BindingResult.Timeout(server, attempts, elapsed);
            }
            elapsed = Duration.ofNanos(clock.nanoTime() - start);
            StunMessage response;
            try {
                response = answer.join();
            } catch (CancellationException e) {
                return new BindingResult.Failure(server, "STUN client is closed");
            }
            return interpret(server, response, attempts, elapsed);
        } finally {
            pending.remove(id);
        }
    }

    /** {@link #bind} on a new virtual thread. */
    public CompletableFuture<BindingResult> bindAsync(InetSocketAddress server) {
        CompletableFuture<BindingResult> result = new CompletableFuture<>();
        Thread.ofVirtual().name("stun-bind").start(() -> {
            try {
                result.complete(bind(server));
            } catch (InterruptedException e) {
                result.complete(new BindingResult.Failure(server, "interrupted"));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * Offers a datagram received from {@code source}; returns true if it was the response to a transaction in flight
     * (which it then completes). Anything else — not STUN, malformed, bad FINGERPRINT, no matching transaction — is
     * dropped and returns false. Non-blocking and cheap: safe to call from a packet receive loop. The buffer is read
     * between position and limit and not retained.
     */
    public boolean deliver(ByteBuffer datagram, InetSocketAddress source) {
        if (!StunCodec.looksLikeStun(datagram)) {
            return false;
        }
        if (!(StunCodec.decode(datagram) instanceof StunParseResult.Parsed(StunMessage m))) {
            dropped.increment();
            return false;
        }
        StunClass c = m.type().messageClass();
        if (!m.type().isBinding() || (c != StunClass.SUCCESS_RESPONSE && c != StunClass.ERROR_RESPONSE)) {
            dropped.increment();
            return false;
        }
        Pending p = pending.get(m.transactionId());
        if (p == null) {
            dropped.increment();
            return false;
        }
        return p.answer().complete(m);
    }

    /** Datagrams {@link #deliver} recognised as STUN but discarded (malformed, unmatched, not a response). */
    public long droppedCount() {
        return dropped.sum();
    }

    /** Ends every transaction in flight with a {@link BindingResult.Failure}; closes the socket of {@link #open}. */
    @Override
    public void close() {
        closed = true;
        for (Pending p : List.copyOf(pending.values())) {
            p.answer().cancel(false);
        }
        if (ownChannel != null) {
            try {
                ownChannel.close();
            } catch (IOException ignored) {
                // closing: nothing left to do
            }
        }
    }

    private StunMessage request(TransactionId id) {
        List<StunAttribute> attributes = new ArrayList<>(1);
        if (!config.software().isEmpty()) {
            attributes.add(new Software(config.software()));
        }
        return new StunMessage(StunMessageType.BINDING_REQUEST, id, attributes, true);
    }

    private static BindingResult interpret(
            InetSocketAddress server, StunMessage response, int attempts, Duration elapsed) {
        if (response.type().messageClass() == StunClass.ERROR_RESPONSE) {
            return response.attribute(ErrorCode.class)
                    .<BindingResult>map(e -> new BindingResult.ErrorResponse(server, e.code(), e.reason()))
                    .orElseGet(() -> new BindingResult.Failure(server, "error response without ERROR-CODE"));
        }
        Optional<InetSocketAddress> mapped = response.attribute(XorMappedAddress.class)
                .map(XorMappedAddress::address)
                .or(() -> response.attribute(MappedAddress.class).map(MappedAddress::address));
        return mapped.<BindingResult>map(a -> new BindingResult.Success(server, a, attempts, elapsed))
                .orElseGet(() -> new BindingResult.Failure(server, "success response without a mapped address"));
    }
}
