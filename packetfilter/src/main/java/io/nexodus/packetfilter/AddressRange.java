package io.nexodus.packetfilter;

/**
 * An inclusive range of IPv4 or IPv6 addresses, parsed from one {@code ip_ranges} entry: a single address
 * ({@code 10.0.0.5}, {@code fd00::5}), a CIDR ({@code 10.0.0.0/8}; host bits are cleared, as the service does) or a
 * dash range ({@code 10.0.0.1-10.0.0.9}, both ends of one family, start &le; end). Addresses are numeric literals only,
 * never names; an IPv4-mapped IPv6 address ({@code ::ffff:1.2.3.4}) is the IPv4 address, as upstream and the JDK treat
 * it. An IPv4 address is held in {@code startLo}/{@code endLo} (high words zero).
 */
public record AddressRange(boolean v6, long startHi, long startLo, long endHi, long endLo) {

    /** Parses one entry; throws {@link IllegalArgumentException} saying what is wrong. Blank input is not a range. */
    public static AddressRange parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty address range");
        }
        int slash = s.indexOf('/');
        if (slash >= 0) {
            Address a = Address.parse(s.substring(0, slash));
            String lenText = s.substring(slash + 1).strip();
            int bits = a.v6() ? 128 : 32;
            if (!lenText.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("invalid prefix length '" + lenText + "'");
            }
            int len = Integer.parseInt(lenText);
            if (len > bits) {
                throw new IllegalArgumentException("prefix length " + len + " is longer than " + bits);
            }
            return prefix(a.v6(), a.hi(), a.lo(), len);
        }
        int dash = s.indexOf('-');
        if (dash >= 0) {
            if (s.indexOf('-', dash + 1) >= 0) {
                throw new IllegalArgumentException("a range has exactly one '-'");
            }
            Address a = Address.parse(s.substring(0, dash));
            Address b = Address.parse(s.substring(dash + 1));
            if (a.v6() != b.v6()) {
                throw new IllegalArgumentException("range mixes IPv4 and IPv6");
            }
            if (compare(a.hi(), a.lo(), b.hi(), b.lo()) > 0) {
                throw new IllegalArgumentException("range start is after its end");
            }
            return new AddressRange(a.v6(), a.hi(), a.lo(), b.hi(), b.lo());
        }
        Address a = Address.parse(s);
        return new AddressRange(a.v6(), a.hi(), a.lo(), a.hi(), a.lo());
    }

    /** The range of a prefix {@code hi:lo/len} (host bits cleared). */
    static AddressRange prefix(boolean v6, long hi, long lo, int len) {
        if (!v6) {
            long mask = len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
            long start = lo & mask;
            return new AddressRange(false, 0, start, 0, start | (~mask & 0xffffffffL));
        }
        long hiMask = len >= 64 ? -1L : len == 0 ? 0 : -1L << (64 - len);
        long loMask = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
        return new AddressRange(true, hi & hiMask, lo & loMask, hi | ~hiMask, lo | ~loMask);
    }

    /** Whether the address {@code hi:lo} of the given family lies in this range. */
    boolean contains(boolean v6Address, long hi, long lo) {
        return v6Address == v6 && compare(hi, lo, startHi, startLo) >= 0 && compare(hi, lo, endHi, endLo) <= 0;
    }

    /** Unsigned comparison of two 128-bit values. */
    static int compare(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    /** The prefix length if this range is exactly one CIDR block, else -1. */
    int prefixLength() {
        int bits = v6 ? 128 : 32;
        for (int len = 0; len <= bits; len++) {
            AddressRange p = prefix(v6, startHi, startLo, len);
            if (p.equals(this)) {
                return len;
            }
        }
        return -1;
    }

    /**
     * The canonical text: an address, a CIDR when the range is exactly one prefix, else {@code start-end}. nftables
     * reads all three forms.
     */
    @Override
    public String toString() {
        String start = Address.format(v6, startHi, startLo);
        if (startHi == endHi && startLo == endLo) {
            return start;
        }
        int len = prefixLength();
        if (len >= 0) {
            return start + "/" + len;
        }
        return start + "-" + Address.format(v6, endHi, endLo);
    }
}
