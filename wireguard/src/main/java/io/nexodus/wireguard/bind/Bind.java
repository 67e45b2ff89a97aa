package io.nexodus.wireguard.bind;

import java.io.IOException;

/**
 * How WireGuard datagrams get in and out of the device. {@link UdpBind} is the UDP socket; an agent that adds another
 * transport (for example DERP over TLS for some peers) writes a Bind that wraps a UdpBind, routes
 * {@link #send(PacketBatch)} by the endpoint's type and delivers what its other transport receives to the same
 * {@link Receiver} with its own {@link Endpoint} type as the source. The device never needs to change for that.
 */
public interface Bind extends AutoCloseable {
    /**
     * Opens the transport on {@code port} (0 = any free port) and starts delivering received datagrams to
     * {@code receiver} on the bind's own threads. Calling it again while open rebinds (a UAPI {@code listen_port}
     * change). Returns the port actually bound (0 if the transport has no port).
     */
    int open(int port, Receiver receiver) throws IOException;

    /** The bound port, or 0 when closed. */
    int port();

    /**
     * Sends each packet of {@code batch} that has an endpoint, as {@code buffer[offset, offset+length)}. Packets with
     * a null endpoint are skipped. Thread-safe; a batch is used by one thread at a time.
     */
    void send(PacketBatch batch) throws IOException;

    /** Sends one datagram. Thread-safe. */
    void send(Endpoint to, byte[] buf, int offset, int length) throws IOException;

    /** Sets the firewall mark (SO_MARK) on outgoing packets; 0 clears it. */
    void setMark(int mark) throws IOException;

    /** Stops receiving and releases the transport; a later {@link #open} may reopen it. */
    @Override
    void close();
}
