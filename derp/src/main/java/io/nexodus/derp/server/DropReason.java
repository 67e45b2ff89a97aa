package io.nexodus.derp.server;

/** Why a packet was dropped (Tailscale's {@code derp_packets_dropped{reason}} labels). */
public enum DropReason {
    /** No client, local or on a mesh peer, has the destination key. */
    UNKNOWN_DEST,
    /** A mesh peer forwarded a packet for a key that is not connected here. */
    UNKNOWN_DEST_ON_FWD,
    /** The destination was closing, or closed with the packet still queued. */
    GONE_DISCONNECTED,
    /** The destination's queue was full: its oldest packet was dropped to make room. */
    QUEUE_HEAD,
    /** The destination's queue was full and the new packet was dropped (not used: this server always drops the head). */
    QUEUE_TAIL,
    /** Writing to the destination failed. */
    WRITE_ERROR,
    /** The destination key has several connections and none is active. */
    DUP_CLIENT,
    /** The packet was for a mesh peer and its connection refused it (queue full or not connected). */
    FORWARD_FAILED,
    /** The {@link DeliveryPolicy} refused the pair (e.g. sender and receiver are devices of different VPCs). */
    POLICY
}
