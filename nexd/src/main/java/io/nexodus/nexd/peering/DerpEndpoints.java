package io.nexodus.nexd.peering;

import java.net.InetSocketAddress;
import java.util.Optional;

/** Where WireGuard sends a peer's packets so the wireguard-derp proxy relays them (a loopback address per peer). */
@FunctionalInterface
public interface DerpEndpoints {
    DerpEndpoints NONE = key -> Optional.empty();

    /** The peer's loopback endpoint, allocated on first use; empty if none can be had (then DERP is not offered). */
    Optional<InetSocketAddress> endpointFor(String peerPublicKey);
}
