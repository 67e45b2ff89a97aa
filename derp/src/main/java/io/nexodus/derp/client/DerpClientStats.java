package io.nexodus.derp.client;

/**
 * Counters of one {@link DerpClient}.
 *
 * @param connects         handshakes completed
 * @param fastStarts       of those, how many used the meta-certificate fast start (no HTTP round trip)
 * @param connectFailures  connection attempts that failed before the handshake completed
 * @param packetsSent      packets written to the server
 * @param packetsReceived  packets received
 * @param sendDropsNotConnected packets dropped because no connection was up
 * @param sendDropsQueueFull    packets dropped because the send queue was full (the oldest goes)
 * @param sendDropsTooLarge     packets over 64 KiB, refused
 * @param writeTimeouts         connections ended because a write to the server was stuck past the write timeout
 */
public record DerpClientStats(
        long connects,
        long fastStarts,
        long connectFailures,
        long packetsSent,
        long packetsReceived,
        long sendDropsNotConnected,
        long sendDropsQueueFull,
        long sendDropsTooLarge,
        long writeTimeouts) {}
