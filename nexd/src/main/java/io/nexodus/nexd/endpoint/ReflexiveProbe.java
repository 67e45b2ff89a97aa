package io.nexodus.nexd.endpoint;

import java.net.InetSocketAddress;

/**
 * Asks a STUN server what address our WireGuard port has on the internet. The agent's implementation sends the
 * Binding request from the WireGuard UDP socket itself, so the NAT mapping observed is the tunnel's own.
 */
@FunctionalInterface
public interface ReflexiveProbe {
    /** One Binding transaction; blocks until it ends (answer, timeout or failure). Never throws for network trouble. */
    StunAnswer query(InetSocketAddress server) throws InterruptedException;
}
