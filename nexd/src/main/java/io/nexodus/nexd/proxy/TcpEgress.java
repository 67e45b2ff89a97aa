package io.nexodus.nexd.proxy;

import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.TcpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Egress TCP: listens on the host's loopback address at the rule's port and connects each client through the stack to
 * the destination in the Nexodus network. A destination that does not answer closes the client's connection with a
 * reset.
 */
final class TcpEgress extends Forwarder {
    private static final Logger log = LoggerFactory.getLogger(TcpEgress.class);

    private final NetStack stack;
    private final ServerSocket server;
    private volatile boolean closed;

    TcpEgress(ProxyRule rule, NetStack stack) throws IOException {
        super(rule);
        this.stack = stack;
        this.server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), rule.port()), BACKLOG);
        } catch (IOException e) {
            server.close();
            throw new IOException(
                    "cannot listen on " + InetAddress.getLoopbackAddress().getHostAddress() + ":" + rule.port()
                            + " (TCP): " + e.getMessage(),
                    e);
        }
    }

    @Override
    void start() {
        Thread.ofVirtual().name("nexd-proxy-accept-" + rule.port()).start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("{}: the listener failed: {}", rule, e.getMessage());
                }
                return;
            }
            sessions.incrementAndGet();
            Thread.ofVirtual().name("nexd-proxy-out").start(() -> forward(client));
        }
    }

    private void forward(Socket client) {
        TcpSocket mesh;
        try {
            client.setTcpNoDelay(true);
            mesh = stack.connect(rule.destination(), CONNECT_TIMEOUT);
        } catch (IOException e) {
            failures.incrementAndGet();
            log.debug("{}: cannot connect to {}: {}", rule, rule.destination(), e.getMessage());
            TcpSplice.of(client).abort();
            return;
        }
        splice(TcpSplice.of(client), TcpSplice.of(mesh));
    }

    @Override
    public void close() {
        closed = true;
        resetConnections();
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
    }
}
