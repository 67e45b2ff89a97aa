package io.nexodus.nexd.proxy;

import io.nexodus.netstack.Datagram;
import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.UdpSocket;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingress UDP: datagrams arriving on the stack at the rule's port are sent to the destination from a host socket of
 * the sending peer's flow; what the destination answers on that socket goes back to the peer from the rule's port.
 */
final class UdpIngress extends Forwarder {
    private static final Logger log = LoggerFactory.getLogger(UdpIngress.class);

    private final UdpSocket socket;
    private final UdpFlows<DatagramSocket> flows;
    private volatile boolean closed;

    UdpIngress(ProxyRule rule, NetStack stack, Duration idle) throws IOException {
        super(rule);
        this.socket = stack.openUdp(rule.port());
        this.flows = new UdpFlows<>(idle, MAX_UDP_FLOWS, System::nanoTime);
    }

    @Override
    void start() {
        Thread.ofVirtual().name("nexd-proxy-udp-" + rule.port()).start(this::receiveLoop);
        Thread.ofVirtual().name("nexd-proxy-udp-expiry").start(() -> UdpEgress.expireLoop(flows, () -> closed));
    }

    private void receiveLoop() {
        while (!closed) {
            Datagram d;
            try {
                d = socket.receive();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("{}: receiving failed: {}", rule, e.getMessage());
                }
                return;
            }
            InetSocketAddress peer = d.source();
            try {
                Optional<DatagramSocket> flow = flows.flow(peer, this::open, s -> replies(peer, s));
                if (flow.isEmpty()) {
                    failures.incrementAndGet();
                    continue;
                }
                flow.get().send(new DatagramPacket(d.data(), d.data().length));
                bytes.addAndGet(d.data().length);
            } catch (IOException e) {
                failures.incrementAndGet();
                log.debug("{}: cannot send to {}: {}", rule, rule.destination(), e.getMessage());
            }
        }
    }

    private DatagramSocket open(InetSocketAddress peer) throws IOException {
        DatagramSocket s = new DatagramSocket();
        s.connect(rule.destination());
        sessions.incrementAndGet();
        return s;
    }

    /** The destination's answers to one peer, until the flow is closed (idle, or the rule removed). */
    private void replies(InetSocketAddress peer, DatagramSocket s) {
        Thread.ofVirtual().name("nexd-proxy-udp-reply").start(() -> {
            byte[] buf = new byte[MAX_DATAGRAM];
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    flows.touch(peer);
                    try {
                        socket.send(peer, Arrays.copyOf(p.getData(), p.getLength()));
                        bytes.addAndGet(p.getLength());
                    } catch (IOException e) {
                        failures.incrementAndGet(); // too large for the tunnel's MTU, or the stack closed
                    }
                }
            } catch (IOException e) {
                // the flow was closed
            } finally {
                flows.remove(peer, s);
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
