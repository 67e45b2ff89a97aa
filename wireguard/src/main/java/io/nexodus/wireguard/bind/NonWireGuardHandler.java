package io.nexodus.wireguard.bind;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Receives datagrams on the WireGuard UDP port that are not WireGuard: STUN messages (bytes 4..8 are the magic cookie
 * {@code 0x2112A442} and the first two bits are zero). Runs on the bind's receive thread, so it must be quick (hand
 * work off to another thread); the buffer is valid only during the call.
 */
@FunctionalInterface
public interface NonWireGuardHandler {
    void handle(ByteBuffer datagram, InetSocketAddress from);
}
