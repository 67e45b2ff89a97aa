/**
 * A userspace TCP/IP stack over IP packets in and out; docs/netstack.md says what it implements and what not.
 * <p>
 * Public: {@link io.nexodus.netstack.NetStack} (the edge: {@code input} and a {@link io.nexodus.netstack.PacketSink};
 * its Javadoc describes the threading), {@link io.nexodus.netstack.NetStackConfig}, the sockets
 * ({@link io.nexodus.netstack.TcpListener}, {@link io.nexodus.netstack.TcpSocket},
 * {@link io.nexodus.netstack.UdpSocket}) and the counters. Everything else is package-private, one concept per file:
 * the wire formats ({@code PacketCodec}, {@code Checksum} and the records {@code IpPacket}, {@code TcpSegment},
 * {@code TcpOptions}, {@code UdpDatagram}, {@code IcmpEcho}); TCP's receiving side and state machine
 * ({@code TcpConnection}, {@code Reassembly}) and sending side ({@code TcpSender}, {@code RttEstimator},
 * {@code NewReno}); buffers ({@code ByteRing}); time ({@code Ticker}, {@code TimerWheel}).
 */
package io.nexodus.netstack;
