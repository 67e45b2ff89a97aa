package io.nexodus.derp.server;

import io.nexodus.core.key.NodePublicKey;

/** Something that carries a packet to another server of the mesh (a mesh peer's connection). */
public interface PacketForwarder {
    /** Queues the packet; false when it was dropped. Must not block. */
    boolean forwardPacket(NodePublicKey source, NodePublicKey destination, byte[] packet);
}
