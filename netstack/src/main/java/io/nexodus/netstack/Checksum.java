package io.nexodus.netstack;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words, with the
 * pseudo-headers of RFC 768/793 (IPv4) and RFC 8200 section 8.1 (IPv6) for TCP, UDP and ICMPv6.
 */
final class Checksum {
    private Checksum() {}

    /** Adds {@code b[off, off+len)} as big-endian 16-bit words to {@code sum} (an odd last byte is padded with 0). */
    static long add(long sum, byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8;
        }
        return sum;
    }

    /** The pseudo-header sum: both addresses (4 or 16 bytes each), the protocol and the upper-layer length. */
    static long pseudoHeader(byte[] src, byte[] dst, int protocol, int length) {
        long sum = add(0, src, 0, src.length);
        sum = add(sum, dst, 0, dst.length);
        return sum + protocol + (length & 0xffff) + (length >>> 16);
    }

    /** Folds the carries and complements: the value to store in a checksum field. */
    static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
