package io.nexodus.derp.server;

import io.nexodus.core.key.NodePublicKey;
import java.net.InetSocketAddress;

/**
 * Decides whether a client that proved its key may use the relay (Tailscale's {@code --verify-clients} hook). Called
 * once per handshake on the connection's thread; mesh peers are not asked. The default admits every key (an open relay,
 * like upstream without verification).
 */
@FunctionalInterface
public interface ClientVerifier {
    ClientVerifier ALLOW_ALL = (key, remote) -> true;

    boolean admit(NodePublicKey key, InetSocketAddress remote);
}
