package io.nexodus.wireguard.device;

/** Why the device dropped a packet. Every drop is counted under one of these (see {@link Device#drops()}). */
public enum DropReason {
    /** A datagram too short, too long, of an unknown type or of the wrong size for its type. */
    MALFORMED,
    /** A transport message for an index we don't have (stale session, or garbage). */
    UNKNOWN_INDEX,
    /** A transport message for a session older than REJECT_AFTER_TIME. */
    EXPIRED_SESSION,
    /** A transport message whose authentication tag did not verify (wrong key, corrupted). */
    DECRYPT_FAILED,
    /** A transport counter already seen or behind the replay window. */
    REPLAYED,
    /** A decrypted packet that is not a well-formed IPv4/IPv6 packet. */
    INVALID_INNER_PACKET,
    /** A decrypted packet whose source address is not among the sending peer's allowed IPs. */
    SOURCE_NOT_ALLOWED,
    /** A decrypted packet the {@link PacketFilter} refused (it was not written to the interface). */
    FILTERED_INBOUND,
    /** A handshake message with a wrong mac1 (not for us, or corrupted). */
    INVALID_MAC1,
    /** A handshake message that failed the Noise checks (unknown peer, wrong key, bad tag, zero DH). */
    HANDSHAKE_FAILED,
    /** A handshake initiation whose timestamp is not newer than the last accepted one. */
    HANDSHAKE_REPLAYED,
    /** A handshake initiation within 20 ms of the previous one from the same peer. */
    HANDSHAKE_FLOOD,
    /** A handshake message refused by the per-source rate limiter while under load. */
    RATE_LIMITED,
    /** A handshake message answered with a cookie reply instead of being processed (under load, no valid mac2). */
    COOKIE_REQUIRED,
    /** A cookie reply that did not decrypt. */
    INVALID_COOKIE_REPLY,
    /** The handshake queue was full. */
    HANDSHAKE_QUEUE_FULL,
    /** An outgoing packet whose destination matches no peer's allowed IPs. */
    NO_ROUTE,
    /** An outgoing packet the {@link PacketFilter} refused (it was not encrypted or sent). */
    FILTERED_OUTBOUND,
    /** An outgoing packet for a peer without a known endpoint. */
    NO_ENDPOINT,
    /** A staged packet pushed out by a newer one (128 wait per peer while a handshake runs). */
    STAGED_OVERFLOW,
    /** An outgoing packet the transport failed to send. */
    SEND_FAILED,
}
