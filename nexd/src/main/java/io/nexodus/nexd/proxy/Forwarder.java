package io.nexodus.nexd.proxy;

import io.nexodus.netstack.NetStack;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The running side of one {@link ProxyRule}: a listener (on the stack for ingress, on the host's loopback address for
 * egress) and the connections or flows it forwards. {@link #create} opens the listener, so a port that is taken fails
 * there; {@link #close} ends the listener and everything it forwards (TCP connections are reset, UDP flows closed).
 */
abstract class Forwarder implements AutoCloseable {
    /** How long a connection to the destination may take before the client's connection is reset. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Connections a TCP listener on the stack queues before SYNs are dropped. */
    static final int BACKLOG = 128;
    /** UDP flows per rule. */
    static final int MAX_UDP_FLOWS = 1024;
    /** The largest UDP payload read from the host (the stack refuses what exceeds its MTU). */
    static final int MAX_DATAGRAM = 65535;

    final ProxyRule rule;
    final AtomicLong sessions = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();

    /** The connections being forwarded (TCP), reset when the rule goes away. */
    private final Set<TcpSplice.Side> open = ConcurrentHashMap.newKeySet();

    private volatile boolean stopped;

    Forwarder(ProxyRule rule) {
        this.rule = rule;
    }

    /** Forwards between {@code a} and {@code b} until both directions end; reset by {@link #resetConnections}. */
    final void splice(TcpSplice.Side a, TcpSplice.Side b) {
        open.add(a);
        open.add(b);
        try {
            if (stopped) {
                a.abort();
                b.abort();
                return;
            }
            TcpSplice.run(a, b, bytes);
        } finally {
            open.remove(a);
            open.remove(b);
        }
    }

    /** Resets every connection in progress (the rule was removed or the agent stops). */
    final void resetConnections() {
        stopped = true;
        open.forEach(TcpSplice.Side::abort);
    }

    /** The forwarder of {@code rule} over {@code stack}, listening already; its threads start with {@link #start}. */
    static Forwarder create(ProxyRule rule, NetStack stack, Duration udpIdle) throws IOException {
        return switch (rule.direction()) {
            case INGRESS ->
                rule.protocol() == ProxyRule.Protocol.TCP
                        ? new TcpIngress(rule, stack)
                        : new UdpIngress(rule, stack, udpIdle);
            case EGRESS ->
                rule.protocol() == ProxyRule.Protocol.TCP
                        ? new TcpEgress(rule, stack)
                        : new UdpEgress(rule, stack, udpIdle);
        };
    }

    abstract void start();

    @Override
    public abstract void close();

    /** For the status: connections (or UDP flows) so far, failed ones, bytes forwarded. */
    String counters() {
        return (rule.protocol() == ProxyRule.Protocol.TCP ? "connections " : "flows ") + sessions.get() + ", failed "
                + failures.get() + ", bytes " + bytes.get();
    }
}
