package io.nexodus.netstack;

/** An ICMP (RFC 792) or ICMPv6 (RFC 4443) echo request or reply. */
@SuppressWarnings("ArrayRecordComponent") // the data is owned by the message once parsed or built
record IcmpEcho(boolean request, int identifier, int sequence, byte[] data) {}
