package io.nexodus.derp.server;

import io.nexodus.core.key.NodePublicKey;

/**
 * Whether the relay may deliver a packet from one admitted client to another. Asked for every packet whose destination
 * is connected here (or behind a mesh peer), after admission ({@link ClientVerifier}) let both in; a refusal drops the
 * packet and counts it ({@link DropReason#POLICY}). The service's public relay uses it to keep VPCs apart. It runs on
 * the sender's reader thread, so it must answer from memory.
 */
@FunctionalInterface
public interface DeliveryPolicy {
    DeliveryPolicy ALLOW_ALL = (src, dst) -> true;

    boolean mayDeliver(NodePublicKey src, NodePublicKey dst);
}
