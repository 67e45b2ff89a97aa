package io.nexodus.stun;

/** What {@link StunCodec#decode} made of a datagram: a message, or why it is not a valid STUN message. */
public sealed interface StunParseResult {
    /** A well-formed message (and, if it carries FINGERPRINT, one whose CRC checked out). */
    record Parsed(StunMessage message) implements StunParseResult {}

    /** Not STUN, or STUN that must be discarded; {@code reason} is for logs and tests. */
    record Invalid(String reason) implements StunParseResult {}
}
