package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePublicKey;

/**
 * A filter in the device's packet path (for security groups): it sees every plain IP packet that passes between the
 * interface and a peer and decides whether it may pass. Set it with {@link Device#packetFilter(PacketFilter)}; a
 * device without one passes everything.
 * <ul>
 *   <li>{@link #inbound}: after decryption, the inner-packet checks and the allowed-IPs source check, before the TUN
 *       write (and before consecutive TCP segments are glued together for that write), once per packet.
 *   <li>{@link #outbound}: after the TUN read, once per packet, after a TSO super-packet was cut into segments (so
 *       every segment is seen, with its own TCP flags) and after routing chose the peer; before the packet is
 *       encrypted, or staged while a handshake runs.
 * </ul>
 * A {@link Verdict#DROP} drops the packet silently (no ICMP error, no TCP reset) and counts it under
 * {@link DropReason#FILTERED_INBOUND} or {@link DropReason#FILTERED_OUTBOUND}.
 * <p>
 * The packet is {@code buf[offset, offset + length)}, without any virtio header. The device guarantees only that it is
 * an IPv4 packet of at least 20 bytes or an IPv6 packet of at least 40 (inbound also that the IP length field equals
 * {@code length}); a filter must bounds-check whatever else it reads (IHL, extension headers, transport headers). The
 * array belongs to the device and is reused after the call: read it, never change or keep it. {@code peer} is the
 * public key of the peer the packet came from or goes to (the same object for as long as the peer is configured).
 * <p>
 * Threads: {@link #outbound} runs on the TUN reader thread, {@link #inbound} on the transport's receive threads,
 * possibly several at once, so an implementation must be thread-safe. It runs once per packet on the hot path: it must
 * not block, and should neither allocate nor take contended locks.
 */
public interface PacketFilter {
    /** What happens to a packet. */
    enum Verdict {
        ACCEPT,
        DROP
    }

    /** A decrypted packet from {@code peer}, about to be written to the interface. */
    Verdict inbound(NodePublicKey peer, byte[] buf, int offset, int length);

    /** A packet read from the interface, routed to {@code peer}, about to be encrypted. */
    Verdict outbound(NodePublicKey peer, byte[] buf, int offset, int length);
}
