package io.nexodus.packetfilter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The device's own addresses, to tell its traffic from traffic it forwards (see
 * {@link StatefulFilter#setLocalAddresses}). Immutable; a handful of addresses, checked linearly.
 */
final class LocalAddresses {
    static final LocalAddresses NONE = new LocalAddresses(new long[0], new long[0]);

    private final long[] v4;
    private final long[] v6; // hi, lo pairs

    private LocalAddresses(long[] v4, long[] v6) {
        this.v4 = v4;
        this.v6 = v6;
    }

    static LocalAddresses of(Collection<String> addresses) {
        if (addresses == null || addresses.isEmpty()) {
            return NONE;
        }
        List<Address> parsed = new ArrayList<>();
        for (String a : addresses) {
            if (a == null) {
                throw new IllegalArgumentException("null address");
            }
            String s = a.strip();
            int slash = s.indexOf('/');
            parsed.add(Address.parse(slash >= 0 ? s.substring(0, slash) : s)); // "100.64.0.1/32" is fine too
        }
        long[] v4 = parsed.stream().filter(x -> !x.v6()).mapToLong(Address::lo).toArray();
        List<Address> six = parsed.stream().filter(Address::v6).toList();
        long[] v6 = new long[six.size() * 2];
        for (int i = 0; i < six.size(); i++) {
            v6[2 * i] = six.get(i).hi();
            v6[2 * i + 1] = six.get(i).lo();
        }
        return new LocalAddresses(v4, v6);
    }

    /** Whether the packet is neither to (inbound) nor from (outbound) one of these addresses. */
    boolean transit(Direction direction, PacketInfo p) {
        if (this == NONE) {
            return false;
        }
        boolean in = direction == Direction.INBOUND;
        long hi = in ? p.dstHi : p.srcHi;
        long lo = in ? p.dstLo : p.srcLo;
        if (p.version == 4) {
            for (long a : v4) {
                if (a == lo) {
                    return false;
                }
            }
        } else {
            for (int i = 0; i < v6.length; i += 2) {
                if (v6[i] == hi && v6[i + 1] == lo) {
                    return false;
                }
            }
        }
        return true;
    }
}
