package io.nexodus.nexd.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The UDP flows of one rule: one per client address, each with its own socket towards the destination (so replies
 * find their way back), closed after {@code idleTimeout} without a datagram in either direction, as upstream (one
 * minute). At most {@code maxFlows}: datagrams of new clients beyond are dropped. Time comes from an injected
 * nanosecond clock; {@link #expire()} is called periodically by the owner.
 *
 * @param <F> the flow's socket
 */
final class UdpFlows<F extends AutoCloseable> {
    /** Opens a flow's socket for a new client. */
    @FunctionalInterface
    interface Opener<F> {
        F open(InetSocketAddress client) throws IOException;
    }

    private static final class Entry<F> {
        final F socket;
        long lastUsed;

        Entry(F socket, long lastUsed) {
            this.socket = socket;
            this.lastUsed = lastUsed;
        }
    }

    private final long idleNanos;
    private final int maxFlows;
    private final LongSupplier nanos;
    private final Map<InetSocketAddress, Entry<F>> flows = new HashMap<>();
    private boolean closed;

    UdpFlows(Duration idleTimeout, int maxFlows, LongSupplier nanos) {
        this.idleNanos = idleTimeout.toNanos();
        this.maxFlows = maxFlows;
        this.nanos = nanos;
    }

    /**
     * The client's flow (marked used now), opened with {@code opener} if it has none; empty when the table is full or
     * closed. {@code opened} is told about a new flow (to start its reply thread) outside the table's lock.
     */
    Optional<F> flow(InetSocketAddress client, Opener<F> opener, Consumer<F> opened) throws IOException {
        F created;
        synchronized (this) {
            if (closed) {
                return Optional.empty();
            }
            Entry<F> e = flows.get(client);
            if (e != null) {
                e.lastUsed = nanos.getAsLong();
                return Optional.of(e.socket);
            }
            if (flows.size() >= maxFlows) {
                return Optional.empty();
            }
            created = opener.open(client);
            flows.put(client, new Entry<>(created, nanos.getAsLong()));
        }
        opened.accept(created);
        return Optional.of(created);
    }

    /** A datagram went back to {@code client}: its flow stays alive. */
    synchronized void touch(InetSocketAddress client) {
        Entry<F> e = flows.get(client);
        if (e != null) {
            e.lastUsed = nanos.getAsLong();
        }
    }

    /** Forgets the client's flow if its socket is {@code socket} (its reply thread ended). */
    @SuppressWarnings("ReferenceEquality") // the same socket, not an equal one: a new flow may have replaced it
    synchronized void remove(InetSocketAddress client, F socket) {
        Entry<F> e = flows.get(client);
        if (e != null && e.socket == socket) {
            flows.remove(client);
        }
    }

    /** Closes and forgets the flows idle for longer than the timeout; returns how many. */
    int expire() {
        List<F> idle = new ArrayList<>();
        synchronized (this) {
            long now = nanos.getAsLong();
            flows.values().removeIf(e -> {
                if (now - e.lastUsed > idleNanos) {
                    idle.add(e.socket);
                    return true;
                }
                return false;
            });
        }
        idle.forEach(UdpFlows::closeQuietly);
        return idle.size();
    }

    synchronized int size() {
        return flows.size();
    }

    /** Closes every flow; no new ones open. */
    void close() {
        List<F> all;
        synchronized (this) {
            closed = true;
            all = flows.values().stream().map(e -> e.socket).toList();
            flows.clear();
        }
        all.forEach(UdpFlows::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing an idle flow: nothing to report
        }
    }
}
