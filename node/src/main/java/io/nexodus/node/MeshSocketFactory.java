package io.nexodus.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import javax.net.SocketFactory;

/**
 * Sockets on the mesh for code that takes a {@link SocketFactory}: {@link NexodusNode#socketFactory()}.
 * {@link #createSocket()} gives an unconnected {@link MeshSocket} (its {@code connect} opens the mesh connection, as
 * HTTP clients and database drivers call it); the other methods connect at once, within
 * {@link NexodusNode#DEFAULT_CONNECT_TIMEOUT}. Hosts are tunnel addresses: a name that is not an IP address literal is
 * an {@link UnknownHostException} (the mesh has no DNS here, and the host's resolver knows nothing of it). The local
 * address and port are the stack's to choose: asking for a particular one is a {@link SocketException}.
 */
public final class MeshSocketFactory extends SocketFactory {
    private final NexodusNode node;

    MeshSocketFactory(NexodusNode node) {
        this.node = node;
    }

    @Override
    public Socket createSocket() throws IOException {
        return new MeshSocket(node::openTcp);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return node.connect(literal(host), port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        checkLocal(localHost, localPort);
        return createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return node.connect(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        checkLocal(localAddress, localPort);
        return createSocket(address, port);
    }

    private static InetAddress literal(String host) throws UnknownHostException {
        if (host == null) {
            throw new UnknownHostException("no host given");
        }
        try {
            return InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            throw new UnknownHostException(
                    host + ": not an IP address (the mesh has no DNS here: use the peer's tunnel address)");
        }
    }

    private static void checkLocal(InetAddress localAddress, int localPort) throws SocketException {
        if (localPort != 0 || (localAddress != null && !localAddress.isAnyLocalAddress())) {
            throw new SocketException("a mesh socket cannot choose its local address or port (the node's stack does)");
        }
    }
}
