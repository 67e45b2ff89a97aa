package io.nexodus.nexd.proxy;

import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.TcpListener;
import io.nexodus.netstack.TcpSocket;
import java.io.IOException;
import java.net.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingress TCP: accepts connections on the stack (this device's tunnel addresses) at the rule's port and connects each
 * to the destination on the host's network. A destination that does not answer resets the peer's connection.
 */
final class TcpIngress extends Forwarder {
    private static final Logger log = LoggerFactory.getLogger(TcpIngress.class);

    private final TcpListener listener;
    private volatile boolean closed;

    TcpIngress(ProxyRule rule, NetStack stack) throws IOException {
        super(rule);
        this.listener = stack.listen(rule.port(), BACKLOG);
    }

    @Override
    void start() {
        Thread.ofVirtual().name("nexd-proxy-accept-" + rule.port()).start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!closed) {
            TcpSocket peer;
            try {
                peer = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("{}: the listener failed: {}", rule, e.getMessage());
                }
                return;
            }
            sessions.incrementAndGet();
            Thread.ofVirtual().name("nexd-proxy-in").start(() -> forward(peer));
        }
    }

    private void forward(TcpSocket peer) {
        Socket local = new Socket();
        try {
            local.connect(rule.destination(), (int) CONNECT_TIMEOUT.toMillis());
            local.setTcpNoDelay(true);
        } catch (IOException e) {
            failures.incrementAndGet();
            log.debug("{}: cannot connect to {}: {}", rule, rule.destination(), e.getMessage());
            peer.abort();
            TcpSplice.of(local).close();
            return;
        }
        splice(TcpSplice.of(peer), TcpSplice.of(local));
    }

    @Override
    public void close() {
        closed = true;
        resetConnections();
        listener.close();
    }
}
