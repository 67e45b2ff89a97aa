package io.nexodus.nexd.proxy;

import io.nexodus.netstack.Datagram;
import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.UdpSocket;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Egress UDP: datagrams to the host's loopback address at the rule's port are sent through the stack to the
 * destination, from a stack socket of the client's flow; the destination's answers on it go back to the client.
 */
final class UdpEgress extends Forwarder {
    private static final Logger log = LoggerFactory.getLogger(UdpEgress.class);
    private static final Duration EXPIRY_CHECK = Duration.ofSeconds(1);

    private final NetStack stack;
    private final DatagramSocket socket;
    private final UdpFlows<UdpSocket> flows;
    private volatile boolean closed;

    UdpEgress(ProxyRule rule, NetStack stack, Duration idle) throws IOException {
        super(rule);
        this.stack = stack;
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), rule.port()));
        } catch (IOException e) {
            throw new IOException(
                    "cannot listen on " + InetAddress.getLoopbackAddress().getHostAddress() + ":" + rule.port()
                            + " (UDP): " + e.getMessage(),
                    e);
        }
        this.flows = new UdpFlows<>(idle, MAX_UDP_FLOWS, System::nanoTime);
    }

    @Override
    void start() {
        Thread.ofVirtual().name("nexd-proxy-udp-" + rule.port()).start(this::receiveLoop);
        Thread.ofVirtual().name("nexd-proxy-udp-expiry").start(() -> expireLoop(flows, () -> closed));
    }

    /** Closes idle flows every second until {@code closed}. */
    static void expireLoop(UdpFlows<?> flows, BooleanSupplier closed) {
        while (!closed.getAsBoolean()) {
            try {
                Thread.sleep(EXPIRY_CHECK);
            } catch (InterruptedException e) {
                return;
            }
            flows.expire();
        }
    }

    private void receiveLoop() {
        byte[] buf = new byte[MAX_DATAGRAM];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                if (!closed) {
                    log.warn("{}: receiving failed: {}", rule, e.getMessage());
                }
                return;
            }
            InetSocketAddress client = (InetSocketAddress) p.getSocketAddress();
            try {
                Optional<UdpSocket> flow = flows.flow(client, this::open, s -> replies(client, s));
                if (flow.isEmpty()) {
                    failures.incrementAndGet();
                    continue;
                }
                flow.get().send(rule.destination(), Arrays.copyOf(p.getData(), p.getLength()));
                bytes.addAndGet(p.getLength());
            } catch (IOException e) {
                failures.incrementAndGet(); // too large for the tunnel's MTU, or no address of that family
                log.debug("{}: cannot send to {}: {}", rule, rule.destination(), e.getMessage());
            }
        }
    }

    private UdpSocket open(InetSocketAddress client) throws IOException {
        UdpSocket s = stack.openUdp(0);
        sessions.incrementAndGet();
        return s;
    }

    /** The destination's answers to one client, until the flow is closed (idle, or the rule removed). */
    private void replies(InetSocketAddress client, UdpSocket s) {
        Thread.ofVirtual().name("nexd-proxy-udp-reply").start(() -> {
            try {
                while (true) {
                    Datagram d = s.receive();
                    if (!d.source().equals(rule.destination())) {
                        continue; // only the destination answers through this flow
                    }
                    flows.touch(client);
                    socket.send(new DatagramPacket(d.data(), d.data().length, client));
                    bytes.addAndGet(d.data().length);
                }
            } catch (IOException e) {
                // the flow was closed
            } finally {
                flows.remove(client, s);
                s.close();
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        flows.close();
    }
}
