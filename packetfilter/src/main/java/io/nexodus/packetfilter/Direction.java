package io.nexodus.packetfilter;

/**
 * Which way a packet crosses the tunnel, seen from this device. Inbound rules judge packets that arrive from a peer
 * (after decryption, before the TUN write); outbound rules judge packets this device sends (after the TUN read, before
 * encryption).
 */
public enum Direction {
    INBOUND,
    OUTBOUND;

    /** The JSON field of a security group that holds this direction's rules. */
    public String field() {
        return this == INBOUND ? "inbound_rules" : "outbound_rules";
    }
}
