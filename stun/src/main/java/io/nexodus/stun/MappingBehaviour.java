package io.nexodus.stun;

/** NAT mapping behaviour (RFC 4787 terms) as far as two or more STUN servers can tell from one socket. */
public enum MappingBehaviour {
    /** Every server saw the same reflexive address: one mapping for all destinations; peers can reach it. */
    ENDPOINT_INDEPENDENT,
    /** Servers saw different reflexive addresses: a new mapping per destination ("symmetric NAT"); needs a relay. */
    ENDPOINT_DEPENDENT,
    /** Fewer than two servers answered (with addresses of one family), so nothing can be compared. */
    UNKNOWN
}
