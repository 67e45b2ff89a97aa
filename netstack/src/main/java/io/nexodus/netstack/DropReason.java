package io.nexodus.netstack;

/** Why the stack dropped an incoming packet; each reason has its own counter in {@link NetStackStats}. */
public enum DropReason {
    /** Shorter than the header(s) it announces. */
    TRUNCATED,
    /** Neither IPv4 nor IPv6. */
    BAD_VERSION,
    /** An IPv4/IPv6 header that contradicts itself (header length, total length, extension headers). */
    BAD_IP_HEADER,
    /** IPv4 header checksum wrong. */
    BAD_IP_CHECKSUM,
    /** A fragment: the stack does not reassemble (peers are expected to use path MTU discovery). */
    FRAGMENT,
    /** Destination is not one of the stack's addresses. */
    NOT_FOR_US,
    /** A transport protocol the stack does not speak. */
    UNSUPPORTED_PROTOCOL,
    /** A TCP/UDP/ICMP header that contradicts itself (lengths, data offset). */
    BAD_TRANSPORT_HEADER,
    /** TCP/UDP/ICMP checksum wrong (pseudo-header included). */
    BAD_CHECKSUM,
    /** TCP options whose lengths do not fit. */
    BAD_TCP_OPTIONS,
    /** An ICMP message other than an echo request to us (replies to our own echo have no socket yet). */
    ICMP_UNHANDLED,
    /** UDP to a port nobody bound. */
    UDP_NO_SOCKET,
    /** UDP socket's receive queue full. */
    UDP_QUEUE_FULL,
    /** TCP segment to a port with no listener and no connection (answered with RST unless it was one). */
    TCP_NO_CONNECTION,
    /** SYN to a listener whose backlog (accepted + half-open) is full. */
    TCP_BACKLOG_FULL,
    /** SYN while the connection table is full. */
    TCP_TABLE_FULL,
    /** TCP segment outside the receive window, or an unacceptable ACK (answered with an ACK). */
    TCP_OUT_OF_WINDOW,
    /** A bug: an unexpected exception while handling the packet (logged once per reason). */
    INTERNAL
}
