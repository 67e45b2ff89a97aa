package io.nexodus.derp.server;

/** Why the server refused or closed a connection (each is counted; a client's own EOF is not in this list). */
public enum ConnectionCloseReason {
    /** Over {@code acceptConnectionLimit}/{@code Burst}: closed right after accept. */
    ACCEPT_RATE_LIMITED,
    /** The TLS handshake failed (wrong SNI, no common protocol or ALPN, not TLS at all). */
    TLS_HANDSHAKE_FAILED,
    /** The HTTP request was malformed or over the size limits (answered with a 4xx when possible). */
    HTTP_BAD_REQUEST,
    /** The TLS handshake and HTTP request did not complete in time (slowloris). */
    HTTP_TIMEOUT,
    /** The DERP key exchange did not complete in time. */
    HANDSHAKE_TIMEOUT,
    /** The first frame was not a well-formed ClientInfo. */
    BAD_HANDSHAKE,
    /** The ClientInfo box did not open with the claimed key: the client does not hold that key. */
    HANDSHAKE_AUTH_FAILED,
    /** The ClientInfo JSON was invalid. */
    BAD_CLIENT_INFO,
    /** The client presented a mesh key that is not ours. */
    MESH_KEY_MISMATCH,
    /** The configured {@link ClientVerifier} refused the key. */
    CLIENT_NOT_VERIFIED,
    /** A frame longer than its type allows. */
    OVERSIZED_FRAME,
    /** A frame too short or of the wrong length for its type. */
    MALFORMED_FRAME,
    /** WatchConns, ForwardPacket or ClosePeer without the mesh key. */
    INSUFFICIENT_PERMISSIONS,
    /** A write did not complete within the write timeout (a stalled receiver). */
    WRITE_TIMEOUT,
    /** A write failed. */
    WRITE_ERROR,
    /** A mesh peer sent ClosePeer for this key. */
    CLOSED_BY_MESH_PEER,
    /** The embedding application withdrew the key's admission ({@code DerpServer.evict}, e.g. a deleted device). */
    EVICTED,
    /** The server is shutting down. */
    SERVER_SHUTDOWN
}
