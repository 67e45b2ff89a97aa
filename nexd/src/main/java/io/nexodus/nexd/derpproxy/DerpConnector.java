package io.nexodus.nexd.derpproxy;

import io.nexodus.derp.client.DerpClient;
import io.nexodus.derp.client.DerpClientListener;
import io.nexodus.nexd.peering.DerpRelay;
import java.io.IOException;

/** Opens a DERP client to a relay (TLS trust, dial address and the node key are the agent's business). */
@FunctionalInterface
public interface DerpConnector {
    DerpClient connect(DerpRelay relay, DerpClientListener listener) throws IOException;

    /** The proxy closed its connection to {@code relay} (it left the VPC or is no longer used): undo what connect set up. */
    default void disconnected(DerpRelay relay) {}

    /**
     * True when the client made for {@code relay} tries nodes the service no longer publishes in that order (a node
     * joined, left or moved since it was made): the proxy replaces such a client while it is not connected, so a
     * client that fails does not keep dialling addresses that are gone, and a connected one is left alone.
     */
    default boolean outdated(DerpRelay relay) {
        return false;
    }
}
