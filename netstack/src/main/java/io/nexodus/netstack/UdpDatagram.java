package io.nexodus.netstack;

/** A UDP datagram (RFC 768). */
@SuppressWarnings("ArrayRecordComponent") // the payload is owned by the datagram once parsed or built
record UdpDatagram(int srcPort, int dstPort, byte[] payload) {}
