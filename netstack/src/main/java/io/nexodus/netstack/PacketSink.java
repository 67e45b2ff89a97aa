package io.nexodus.netstack;

/**
 * Where the stack's outgoing IP packets go (the "IP packets out" edge). Called on whichever thread made the stack
 * send (the one feeding {@link NetStack#input}, the timer thread, or an application thread writing to a socket),
 * always with the stack's lock held: an implementation must not block and must not call back into the stack. A
 * bounded queue that drops when full (TCP retransmits) is the intended shape; the array is the sink's to keep.
 */
@FunctionalInterface
public interface PacketSink {
    void send(byte[] packet);
}
