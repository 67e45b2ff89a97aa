package io.nexodus.server.relay;

import io.nexodus.api.model.RelayNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One replica's relay node as recorded in the shared database.
 *
 * @param node      what agents and the other replicas dial (the name is unique per relay key)
 * @param publicKey the relay's DERP key (base64): a replica recognises its own row by it
 * @param lastSeen  when that replica last refreshed the row (by its clock)
 */
record RegisteredNode(RelayNode node, String publicKey, Instant lastSeen) {
    RegisteredNode {
        Objects.requireNonNull(node);
        Objects.requireNonNull(publicKey);
        Objects.requireNonNull(lastSeen);
    }

    RegisteredNode seenAt(Instant t) {
        return new RegisteredNode(node, publicKey, t);
    }
}
