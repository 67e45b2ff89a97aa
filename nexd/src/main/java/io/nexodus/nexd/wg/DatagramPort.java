package io.nexodus.nexd.wg;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

/**
 * A UDP socket that non-WireGuard traffic (STUN) can share: the WireGuard port itself for the in-process backend, so
 * the reflexive address STUN sees is the tunnel's own NAT mapping.
 */
public interface DatagramPort {
    /** Sends one datagram (position to limit) from the port. */
    void send(ByteBuffer datagram, InetSocketAddress to) throws IOException;

    /**
     * Where received STUN datagrams go. Called on the receive thread: must be quick; the buffer is valid only during
     * the call.
     */
    void onReceive(BiConsumer<ByteBuffer, InetSocketAddress> handler);

    /** The local UDP port. */
    int port();

    /** True when this is the WireGuard socket itself (false: a separate socket whose NAT mapping may differ). */
    boolean isWireGuardSocket();
}
