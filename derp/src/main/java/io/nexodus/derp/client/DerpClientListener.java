package io.nexodus.derp.client;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.derp.frame.Frame;
import io.nexodus.derp.frame.PeerGoneReason;

/**
 * Receives what a {@link DerpClient} gets from its server. Called on the client's reader thread, one call at a time
 * and in order: return quickly (hand work to another thread), since a slow listener delays every later frame.
 * Exceptions thrown here are logged and ignored.
 */
public interface DerpClientListener {
    /** A packet {@code source} sent to us. The array is ours to keep. */
    void onPacket(NodePublicKey source, byte[] packet);

    /**
     * The packets of one read from the server have been delivered and the reader is about to wait for more: a
     * listener that batches {@link #onPacket} calls (e.g. into one {@code sendmmsg}/GSO write to WireGuard) flushes
     * here. Called only after at least one packet since the last call.
     */
    default void onPacketsDelivered() {}

    /** {@code peer} left the relay (or, with {@link PeerGoneReason#NOT_HERE}, was never there). */
    default void onPeerGone(NodePublicKey peer, PeerGoneReason reason) {}

    /** A peer connected to the server (only for watchers, i.e. mesh peers). */
    default void onPeerPresent(Frame.PeerPresent present) {}

    /** The handshake completed (ServerInfo arrived); called after every (re)connect. */
    default void onConnected(NodePublicKey serverKey) {}

    /** The connection ended; the client reconnects unless closed. */
    default void onDisconnected(String reason) {}

    /** The server reported a problem (empty text: healthy again). */
    default void onHealth(String problem) {}

    /** The server announced a restart. */
    default void onRestarting(long reconnectInMillis, long tryForMillis) {}
}
