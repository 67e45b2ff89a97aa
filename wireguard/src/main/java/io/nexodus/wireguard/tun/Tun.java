package io.nexodus.wireguard.tun;

import io.nexodus.wireguard.bind.PacketBatch;
import java.io.IOException;

/**
 * The virtual interface: IP packets in and out. {@link LinuxTun} is the kernel TUN device; {@link MemoryTun} keeps
 * packets in memory for tests and for a device that has no interface.
 */
public interface Tun extends AutoCloseable {
    /** The interface name (for a kernel TUN, the name the kernel gave it). */
    String name();

    /** The MTU packets are padded against. */
    int mtu();

    /**
     * Blocks until at least one packet is available, then fills {@code batch} with up to its capacity of packets,
     * each at offset {@link PacketBatch#HEADROOM} of its buffer. Returns the number of packets, or -1 once the
     * interface is gone or closed (the device then shuts down).
     */
    int read(PacketBatch batch) throws IOException;

    /** Writes every packet of {@code batch} with a positive length, as {@code buffer[offset, offset+length)}. */
    void write(PacketBatch batch) throws IOException;

    /** Closes the interface; a blocked {@link #read} returns -1. */
    @Override
    void close();
}
