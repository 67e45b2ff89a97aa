package io.nexodus.netstack;

import java.net.InetSocketAddress;

/** A UDP datagram received by a {@link UdpSocket}: who sent it, to which of our addresses, and its payload. */
@SuppressWarnings("ArrayRecordComponent") // the payload was copied out of the packet and belongs to the receiver
public record Datagram(InetSocketAddress source, InetSocketAddress destination, byte[] data) {}
