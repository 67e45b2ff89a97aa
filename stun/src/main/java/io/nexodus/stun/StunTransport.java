package io.nexodus.stun;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * How a {@link StunClient} sends its requests. The agent implements it over its WireGuard UDP socket so the NAT
 * mapping STUN observes is the tunnel's own, and feeds STUN datagrams arriving on that socket back through
 * {@link StunClient#deliver}.
 */
@FunctionalInterface
public interface StunTransport {
    /**
     * Sends one datagram (position to limit of {@code datagram}; the buffer is the transport's to keep) to
     * {@code destination}. May be called from several threads at once.
     */
    void send(ByteBuffer datagram, InetSocketAddress destination) throws IOException;
}
