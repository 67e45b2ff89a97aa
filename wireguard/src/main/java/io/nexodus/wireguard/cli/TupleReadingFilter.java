package io.nexodus.wireguard.cli;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.wireguard.device.PacketFilter;

/**
 * A {@link PacketFilter} for measuring the cost of the filter hook ({@code nexodus-wg --bench-filter}): it reads what
 * any real filter reads first — IP version, protocol, both addresses and, for TCP and UDP, both ports — and accepts
 * every packet. Not a security control: it filters nothing.
 */
final class TupleReadingFilter implements PacketFilter {
    private static final int TCP = 6;
    private static final int UDP = 17;

    @Override
    public Verdict inbound(NodePublicKey peer, byte[] buf, int offset, int length) {
        return verdict(buf, offset, length);
    }

    @Override
    public Verdict outbound(NodePublicKey peer, byte[] buf, int offset, int length) {
        return verdict(buf, offset, length);
    }

    /** ACCEPT, computed from the tuple so that the reads cannot be optimised away. */
    static Verdict verdict(byte[] buf, int offset, int length) {
        return tupleHash(buf, offset, length) == 0x5eed_f00d_dead_beefL ? Verdict.DROP : Verdict.ACCEPT;
    }

    /** A hash of protocol, addresses and ports (0 for what is not IPv4/IPv6). */
    static long tupleHash(byte[] buf, int offset, int length) {
        int version = (buf[offset] & 0xff) >>> 4;
        int proto;
        int l4;
        long h;
        if (version == 4 && length >= 20) {
            proto = buf[offset + 9] & 0xff;
            l4 = offset + (buf[offset] & 0x0f) * 4;
            h = be32(buf, offset + 12) * 31 + be32(buf, offset + 16);
        } else if (version == 6 && length >= 40) {
            proto = buf[offset + 6] & 0xff;
            l4 = offset + 40;
            h = 17;
            for (int i = 8; i < 40; i += 4) {
                h = h * 31 + be32(buf, offset + i);
            }
        } else {
            return 0;
        }
        h = h * 31 + proto;
        if ((proto == TCP || proto == UDP) && l4 + 4 <= offset + length) {
            h = h * 31 + be32(buf, l4); // source and destination port
        }
        return h;
    }

    private static long be32(byte[] b, int o) {
        return ((b[o] & 0xffL) << 24) | ((b[o + 1] & 0xffL) << 16) | ((b[o + 2] & 0xffL) << 8) | (b[o + 3] & 0xffL);
    }
}
