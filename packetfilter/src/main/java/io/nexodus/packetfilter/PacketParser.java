package io.nexodus.packetfilter;

/**
 * Reads the headers the filter needs from a plain IPv4 or IPv6 packet, in place. Never throws on any input: every
 * read is bounds-checked against the packet, and anything malformed is reported as {@link #INVALID}.
 * <p>
 * What counts as malformed: shorter than the IP header; a version other than 4/6; an IPv4 header length below 20 or
 * beyond the packet; a total/payload length that does not fit the buffer (trailing bytes beyond it are ignored); a
 * first fragment or unfragmented packet too short for its TCP (20 bytes), UDP (8) or ICMP (8) header; more than
 * {@link #MAX_EXTENSION_HEADERS} IPv6 extension headers, or one that runs past the packet; an IPv6 jumbogram.
 * <p>
 * Fragments: a non-first fragment (IPv4 offset &gt; 0, or an IPv6 fragment header with offset &gt; 0) carries no
 * layer-4 header, so it is reported as {@link #FRAGMENT} and passed (the first fragment, which carries the ports, was
 * judged; without it the receiver cannot reassemble). IPv6 extension headers (hop-by-hop, routing, destination
 * options, fragment, AH) are walked to find the layer-4 protocol; ESP and unknown headers end the walk and are
 * treated as the layer-4 protocol.
 */
final class PacketParser {
    static final int OK = 0;
    static final int INVALID = 1;
    static final int FRAGMENT = 2;

    static final int MAX_EXTENSION_HEADERS = 8;

    private PacketParser() {}

    static int parse(byte[] b, int off, int len, PacketInfo p) {
        if (b == null || off < 0 || len < 1 || off > b.length - len) {
            return INVALID;
        }
        int version = (b[off] & 0xff) >>> 4;
        if (version == 4) {
            return parseV4(b, off, len, p);
        }
        if (version == 6) {
            return parseV6(b, off, len, p);
        }
        return INVALID;
    }

    private static int parseV4(byte[] b, int off, int len, PacketInfo p) {
        if (len < 20) {
            return INVALID;
        }
        int ihl = (b[off] & 0x0f) * 4;
        int total = u16(b, off + 2);
        if (ihl < 20 || total < ihl || total > len) {
            return INVALID;
        }
        p.version = 4;
        p.srcHi = 0;
        p.dstHi = 0;
        p.srcLo = u32(b, off + 12);
        p.dstLo = u32(b, off + 16);
        p.l4 = b[off + 9] & 0xff;
        if ((u16(b, off + 6) & 0x1fff) != 0) {
            return FRAGMENT;
        }
        return parseL4(b, off + ihl, total - ihl, p);
    }

    private static int parseV6(byte[] b, int off, int len, PacketInfo p) {
        if (len < 40) {
            return INVALID;
        }
        int payload = u16(b, off + 4);
        if (payload == 0 || 40 + payload > len) {
            return INVALID; // a jumbogram (payload 0) cannot cross a WireGuard tunnel
        }
        p.version = 6;
        p.srcHi = u64(b, off + 8);
        p.srcLo = u64(b, off + 16);
        p.dstHi = u64(b, off + 24);
        p.dstLo = u64(b, off + 32);
        int end = off + 40 + payload;
        int at = off + 40;
        int next = b[off + 6] & 0xff;
        for (int n = 0; isExtension(next); n++) {
            if (n >= MAX_EXTENSION_HEADERS || at + 8 > end) {
                return INVALID;
            }
            int headerLen;
            if (next == 44) { // fragment
                if ((u16(b, at + 2) >>> 3) != 0) {
                    p.l4 = b[at] & 0xff;
                    return FRAGMENT;
                }
                headerLen = 8;
            } else if (next == 51) { // AH: length in 4-byte units, minus 2
                headerLen = ((b[at + 1] & 0xff) + 2) * 4;
            } else {
                headerLen = ((b[at + 1] & 0xff) + 1) * 8;
            }
            next = b[at] & 0xff;
            at += headerLen;
            if (at > end) {
                return INVALID;
            }
        }
        p.l4 = next;
        return parseL4(b, at, end - at, p);
    }

    static boolean isExtension(int next) {
        return next == 0 || next == 43 || next == 44 || next == 60 || next == 51;
    }

    /** Reads the layer-4 header at {@code at} ({@code avail} bytes of it in the packet) for {@code p.l4}. */
    private static int parseL4(byte[] b, int at, int avail, PacketInfo p) {
        p.sport = 0;
        p.dport = 0;
        p.tcpFlags = 0;
        p.icmpType = 0;
        p.innerValid = false;
        return switch (p.l4) {
            case Protocol.IP_TCP -> {
                if (avail < 20) {
                    yield INVALID;
                }
                p.kind = PacketInfo.KIND_TCP;
                p.sport = u16(b, at);
                p.dport = u16(b, at + 2);
                p.tcpFlags = b[at + 13] & 0x3f;
                yield OK;
            }
            case Protocol.IP_UDP -> {
                if (avail < 8) {
                    yield INVALID;
                }
                p.kind = PacketInfo.KIND_UDP;
                p.sport = u16(b, at);
                p.dport = u16(b, at + 2);
                yield OK;
            }
            case Protocol.IP_ICMP, Protocol.IP_ICMPV6 -> {
                if ((p.l4 == Protocol.IP_ICMP) != (p.version == 4)) {
                    p.kind = PacketInfo.KIND_OTHER; // ICMPv4 inside IPv6 or the reverse: just a protocol number
                    yield OK;
                }
                if (avail < 8) {
                    yield INVALID;
                }
                int type = b[at] & 0xff;
                p.icmpType = type;
                boolean v4 = p.version == 4;
                if (type == (v4 ? 8 : 128) || type == (v4 ? 0 : 129)) {
                    p.kind = type == (v4 ? 8 : 128) ? PacketInfo.KIND_ECHO_REQUEST : PacketInfo.KIND_ECHO_REPLY;
                    p.sport = u16(b, at + 4);
                    p.dport = p.sport;
                } else if (isError(v4, type)) {
                    p.kind = PacketInfo.KIND_ICMP_ERROR;
                    parseInner(b, at + 8, avail - 8, p);
                } else {
                    p.kind = PacketInfo.KIND_ICMP_OTHER;
                }
                yield OK;
            }
            default -> {
                p.kind = PacketInfo.KIND_OTHER;
                yield OK;
            }
        };
    }

    /** ICMP destination unreachable, source quench, time exceeded, parameter problem; ICMPv6 1-4 (incl. too big). */
    static boolean isError(boolean v4, int type) {
        return v4 ? type == 3 || type == 4 || type == 11 || type == 12 : type >= 1 && type <= 4;
    }

    /** Reads the packet quoted in an ICMP error (its IP header and first 8 bytes of layer 4, as RFC 792/4443 keep). */
    private static void parseInner(byte[] b, int at, int avail, PacketInfo p) {
        int l4At;
        int l4Avail;
        int next;
        if (p.version == 4) {
            if (avail < 20 || (b[at] & 0xff) >>> 4 != 4) {
                return;
            }
            int ihl = (b[at] & 0x0f) * 4;
            if (ihl < 20 || ihl > avail) {
                return;
            }
            p.innerSrcHi = 0;
            p.innerDstHi = 0;
            p.innerSrcLo = u32(b, at + 12);
            p.innerDstLo = u32(b, at + 16);
            next = b[at + 9] & 0xff;
            l4At = at + ihl;
            l4Avail = avail - ihl;
        } else {
            if (avail < 40 || (b[at] & 0xff) >>> 4 != 6) {
                return;
            }
            p.innerSrcHi = u64(b, at + 8);
            p.innerSrcLo = u64(b, at + 16);
            p.innerDstHi = u64(b, at + 24);
            p.innerDstLo = u64(b, at + 32);
            next = b[at + 6] & 0xff;
            l4At = at + 40;
            l4Avail = avail - 40;
            for (int n = 0; isExtension(next); n++) {
                if (n >= MAX_EXTENSION_HEADERS || l4Avail < 8 || next == 44) {
                    return; // quoted fragments and deep header chains are not matched to flows
                }
                int headerLen = next == 51 ? ((b[l4At + 1] & 0xff) + 2) * 4 : ((b[l4At + 1] & 0xff) + 1) * 8;
                next = b[l4At] & 0xff;
                l4At += headerLen;
                l4Avail -= headerLen;
            }
        }
        p.innerL4 = next;
        p.innerSport = 0;
        p.innerDport = 0;
        if (next == Protocol.IP_TCP || next == Protocol.IP_UDP) {
            if (l4Avail < 4) {
                return;
            }
            p.innerKind = next == Protocol.IP_TCP ? PacketInfo.KIND_TCP : PacketInfo.KIND_UDP;
            p.innerSport = u16(b, l4At);
            p.innerDport = u16(b, l4At + 2);
        } else if (next == (p.version == 4 ? Protocol.IP_ICMP : Protocol.IP_ICMPV6)) {
            if (l4Avail < 8) {
                return;
            }
            int type = b[l4At] & 0xff;
            boolean v4 = p.version == 4;
            if (type != (v4 ? 8 : 128) && type != (v4 ? 0 : 129)) {
                return; // errors about errors are not related to a flow
            }
            p.innerKind = type == (v4 ? 8 : 128) ? PacketInfo.KIND_ECHO_REQUEST : PacketInfo.KIND_ECHO_REPLY;
            p.innerSport = u16(b, l4At + 4);
            p.innerDport = p.innerSport;
        } else {
            p.innerKind = PacketInfo.KIND_OTHER;
        }
        p.innerValid = true;
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    static long u64(byte[] b, int i) {
        return (u32(b, i) << 32) | u32(b, i + 4);
    }
}
