package io.nexodus.netstack;

/**
 * The TCP options the stack reads and writes (RFC 9293 MSS, RFC 7323 window scale and timestamps, RFC 2018
 * SACK-permitted). {@code -1} means "absent". The stack sends MSS and window scale; it parses the others and ignores
 * them (no SACK, no timestamps yet).
 */
record TcpOptions(int mss, int windowScale, boolean sackPermitted, long tsVal, long tsEcr) {
    static final TcpOptions NONE = new TcpOptions(-1, -1, false, -1, -1);

    /** The largest shift RFC 7323 allows; larger values received are used as 14. */
    static final int MAX_WINDOW_SCALE = 14;

    boolean hasTimestamps() {
        return tsVal >= 0;
    }

    /** The encoded length, padded to a multiple of 4. */
    int encodedLength() {
        int n = 0;
        if (mss >= 0) {
            n += 4;
        }
        if (windowScale >= 0) {
            n += 4; // NOP + 3
        }
        if (sackPermitted) {
            n += 4; // NOP NOP + 2
        }
        if (hasTimestamps()) {
            n += 12; // NOP NOP + 10
        }
        return n;
    }
}
