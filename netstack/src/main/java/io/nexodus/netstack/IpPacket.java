package io.nexodus.netstack;

import java.net.InetAddress;

/**
 * A parsed IPv4 or IPv6 packet: the header fields the stack uses and where the transport payload sits in
 * {@code buf}. For IPv6, {@code protocol} is the upper-layer protocol after the skipped extension headers.
 */
@SuppressWarnings("ArrayRecordComponent") // a view into the caller's buffer, valid while the packet is handled
record IpPacket(
        int version,
        InetAddress src,
        InetAddress dst,
        int protocol,
        int ttl,
        byte[] buf,
        int payloadOffset,
        int payloadLength) {
    static final int ICMP = 1;
    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMPV6 = 58;
}
