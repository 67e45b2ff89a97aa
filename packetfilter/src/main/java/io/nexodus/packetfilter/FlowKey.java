package io.nexodus.packetfilter;

/**
 * The connection-tracking key of a packet, in canonical form so that a flow's packets in both directions find the
 * same entry with one lookup: the endpoint that sorts lower (address, then port) comes first. One extra bit, {@code
 * srcIsLow XOR outbound}, is the same for a flow's original packets and its replies but differs for the same packet
 * seen in the other direction (a packet a relay forwards passes the filter inbound and then outbound: the second
 * pass is a new flow of its own, judged by outbound rules, not a reply). Mutable scratch space, one per packet thread.
 */
final class FlowKey {
    // k4 layout: bit 0 IPv6, bits 1-8 protocol, bits 9-24 low port, bits 25-40 high port, bit 41 direction bit
    long k0; // low endpoint address, high word
    long k1; // low endpoint address, low word
    long k2; // high endpoint address, high word
    long k3; // high endpoint address, low word
    long k4;
    long hash;
    /** Whether this packet's source is the low endpoint. */
    boolean srcIsLow;

    /** Fills the key from a flow's endpoints; {@code seed} keys the hash so peers cannot aim at one bucket. */
    void set(
            boolean v6,
            int l4,
            long srcHi,
            long srcLo,
            int sport,
            long dstHi,
            long dstLo,
            int dport,
            boolean outbound,
            long seed) {
        int c = AddressRange.compare(srcHi, srcLo, dstHi, dstLo);
        srcIsLow = c < 0 || (c == 0 && sport <= dport);
        int lowPort;
        int highPort;
        if (srcIsLow) {
            k0 = srcHi;
            k1 = srcLo;
            k2 = dstHi;
            k3 = dstLo;
            lowPort = sport;
            highPort = dport;
        } else {
            k0 = dstHi;
            k1 = dstLo;
            k2 = srcHi;
            k3 = srcLo;
            lowPort = dport;
            highPort = sport;
        }
        k4 = (v6 ? 1L : 0L)
                | ((long) (l4 & 0xff) << 1)
                | ((long) (lowPort & 0xffff) << 9)
                | ((long) (highPort & 0xffff) << 25)
                | ((srcIsLow ^ outbound) ? 1L << 41 : 0L);
        hash = mix(seed, k0, k1, k2, k3, k4);
    }

    static long mix(long seed, long a, long b, long c, long d, long e) {
        long h = seed;
        h = round(h, a);
        h = round(h, b);
        h = round(h, c);
        h = round(h, d);
        h = round(h, e);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static long round(long h, long v) {
        h ^= v * 0x9e3779b97f4a7c15L;
        return Long.rotateLeft(h, 27) * 0x94d049bb133111ebL + 0x632be59bd9b4e019L;
    }

    boolean v6() {
        return (k4 & 1) != 0;
    }

    int l4() {
        return (int) (k4 >>> 1) & 0xff;
    }

    int lowPort() {
        return (int) (k4 >>> 9) & 0xffff;
    }

    int highPort() {
        return (int) (k4 >>> 25) & 0xffff;
    }

    boolean directionBit() {
        return (k4 & (1L << 41)) != 0;
    }
}
