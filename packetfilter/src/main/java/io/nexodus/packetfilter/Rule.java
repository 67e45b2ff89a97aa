package io.nexodus.packetfilter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One compiled security rule: a protocol, an optional destination port range and the remote addresses it admits (the
 * source for inbound rules, the destination for outbound rules). Address ranges are merged and sorted so a packet is
 * checked with a binary search per family. Immutable and shared by every packet thread.
 */
public final class Rule {
    private final String field;
    private final Protocol protocol;
    private final int fromPort;
    private final int toPort;
    private final List<AddressRange> ranges;
    private final boolean anyAddress;
    private final long[] v4Start;
    private final long[] v4End;
    private final long[] v6Start; // hi, lo pairs
    private final long[] v6End;

    Rule(String field, Protocol protocol, int fromPort, int toPort, List<AddressRange> parsed, boolean anyAddress) {
        this.field = field;
        this.protocol = protocol;
        this.fromPort = fromPort;
        this.toPort = toPort;
        this.anyAddress = anyAddress;
        this.ranges = anyAddress ? List.of() : merge(parsed);
        List<AddressRange> v4 = this.ranges.stream().filter(r -> !r.v6()).toList();
        List<AddressRange> v6 = this.ranges.stream().filter(AddressRange::v6).toList();
        v4Start = new long[v4.size()];
        v4End = new long[v4.size()];
        for (int i = 0; i < v4.size(); i++) {
            v4Start[i] = v4.get(i).startLo();
            v4End[i] = v4.get(i).endLo();
        }
        v6Start = new long[v6.size() * 2];
        v6End = new long[v6.size() * 2];
        for (int i = 0; i < v6.size(); i++) {
            v6Start[2 * i] = v6.get(i).startHi();
            v6Start[2 * i + 1] = v6.get(i).startLo();
            v6End[2 * i] = v6.get(i).endHi();
            v6End[2 * i + 1] = v6.get(i).endLo();
        }
    }

    /** Sorts and merges overlapping or adjacent ranges of the same family. */
    static List<AddressRange> merge(List<AddressRange> in) {
        List<AddressRange> sorted = new ArrayList<>(in);
        sorted.sort(Comparator.comparing(AddressRange::v6)
                .thenComparing((a, b) -> AddressRange.compare(a.startHi(), a.startLo(), b.startHi(), b.startLo())));
        List<AddressRange> out = new ArrayList<>();
        for (AddressRange r : sorted) {
            if (!out.isEmpty()) {
                AddressRange last = out.getLast();
                if (last.v6() == r.v6() && adjacentOrOverlapping(last, r)) {
                    if (AddressRange.compare(r.endHi(), r.endLo(), last.endHi(), last.endLo()) > 0) {
                        out.set(
                                out.size() - 1,
                                new AddressRange(last.v6(), last.startHi(), last.startLo(), r.endHi(), r.endLo()));
                    }
                    continue;
                }
            }
            out.add(r);
        }
        return List.copyOf(out);
    }

    private static boolean adjacentOrOverlapping(AddressRange a, AddressRange b) {
        // b starts at or before a.end + 1 (a.end + 1 computed without overflow past the family's last address)
        if (AddressRange.compare(b.startHi(), b.startLo(), a.endHi(), a.endLo()) <= 0) {
            return true;
        }
        long nextLo = a.endLo() + 1;
        long nextHi = a.v6() && nextLo == 0 ? a.endHi() + 1 : a.endHi();
        return b.startHi() == nextHi && b.startLo() == nextLo;
    }

    /** The JSON path of this rule in its group, e.g. {@code inbound_rules[0]}. */
    public String field() {
        return field;
    }

    public Protocol protocol() {
        return protocol;
    }

    /** First destination port, or 0 when the rule admits every port. */
    public int fromPort() {
        return fromPort;
    }

    /** Last destination port, or 0 when the rule admits every port. */
    public int toPort() {
        return toPort;
    }

    /** Whether the rule restricts the destination port (then only TCP and UDP packets can match). */
    public boolean hasPorts() {
        return fromPort != 0;
    }

    /** The merged address ranges; empty when {@link #anyAddress()}. */
    public List<AddressRange> ranges() {
        return ranges;
    }

    /** Whether the rule admits every remote address (no {@code ip_ranges}, or one of them blank). */
    public boolean anyAddress() {
        return anyAddress;
    }

    /** Whether the rule has ranges of this family (4 or 6); always true for {@link #anyAddress()}. */
    public boolean coversFamily(int ipVersion) {
        return anyAddress || (ipVersion == 4 ? v4Start.length > 0 : v6Start.length > 0);
    }

    /**
     * Whether a packet of IP version {@code ipVersion}, layer-4 protocol {@code l4}, remote address {@code hi:lo} and
     * destination port {@code dport} (ignored unless TCP/UDP) matches. Allocation-free.
     */
    boolean matches(int ipVersion, int l4, long hi, long lo, int dport) {
        if (!protocol.matches(ipVersion, l4)) {
            return false;
        }
        if (fromPort != 0) {
            if (l4 != Protocol.IP_TCP && l4 != Protocol.IP_UDP) {
                return false;
            }
            if (dport < fromPort || dport > toPort) {
                return false;
            }
        }
        return anyAddress || (ipVersion == 4 ? containsV4(lo) : containsV6(hi, lo));
    }

    private boolean containsV4(long a) {
        int lowIdx = 0;
        int highIdx = v4Start.length - 1;
        while (lowIdx <= highIdx) {
            int mid = (lowIdx + highIdx) >>> 1;
            if (a < v4Start[mid]) {
                highIdx = mid - 1;
            } else if (a > v4End[mid]) {
                lowIdx = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    private boolean containsV6(long hi, long lo) {
        int lowIdx = 0;
        int highIdx = v6Start.length / 2 - 1;
        while (lowIdx <= highIdx) {
            int mid = (lowIdx + highIdx) >>> 1;
            if (AddressRange.compare(hi, lo, v6Start[2 * mid], v6Start[2 * mid + 1]) < 0) {
                highIdx = mid - 1;
            } else if (AddressRange.compare(hi, lo, v6End[2 * mid], v6End[2 * mid + 1]) > 0) {
                lowIdx = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** A one-line description for status and logs, e.g. {@code tcp 22-23 10.0.0.0/8,fd00::/8}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(protocol == Protocol.ANY ? "any" : protocol.wireName());
        if (fromPort != 0) {
            sb.append(' ').append(fromPort);
            if (toPort != fromPort) {
                sb.append('-').append(toPort);
            }
        }
        sb.append(' ');
        if (anyAddress) {
            sb.append("any");
        } else {
            for (int i = 0; i < ranges.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(ranges.get(i));
            }
        }
        return sb.toString();
    }
}
