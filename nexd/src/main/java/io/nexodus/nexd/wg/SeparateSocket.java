package io.nexodus.nexd.wg;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.function.BiConsumer;

/**
 * A UDP socket of nexd's own for STUN, used when WireGuard runs in another process (wireguard-go) and its socket
 * cannot be shared. Its NAT mapping is not WireGuard's: on an endpoint-independent NAT the reflexive IP is right but
 * the port is this socket's mapping, not the tunnel's.
 */
public final class SeparateSocket implements DatagramPort, AutoCloseable {
    private final DatagramChannel channel;
    private volatile BiConsumer<ByteBuffer, InetSocketAddress> handler;

    public SeparateSocket() throws IOException {
        channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.bind(new InetSocketAddress(0));
        Thread.ofVirtual().name("nexd-stun-socket").start(this::receiveLoop);
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        while (channel.isOpen()) {
            buf.clear();
            SocketAddress from;
            try {
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                continue;
            }
            BiConsumer<ByteBuffer, InetSocketAddress> h = handler;
            if (h != null && from instanceof InetSocketAddress isa) {
                h.accept(buf.flip(), isa);
            }
        }
    }

    @Override
    public void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        channel.send(datagram, to);
    }

    @Override
    public void onReceive(BiConsumer<ByteBuffer, InetSocketAddress> h) {
        this.handler = h;
    }

    @Override
    public int port() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public boolean isWireGuardSocket() {
        return false;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
