package io.nexodus.wireguard.tun;

import io.nexodus.wireguard.bind.PacketBatch;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Segmentation and checksum offload for a TUN opened with {@code IFF_VNET_HDR} (the technique of wireguard-go's
 * {@code tun/offload_linux.go}, written anew): the kernel hands us TCP super-packets of up to 64 KiB with a
 * {@code virtio_net_hdr} in front, which we cut into MTU-sized segments before encryption; on the way back, decrypted
 * segments of one TCP flow are glued into one super-packet again, so the kernel's TCP stack handles one packet instead
 * of forty. Every IP and TCP field the cut or the glue changes is rewritten and checksummed here.
 */
final class Offload {
    static final int VNET_HDR_LEN = 10;
    static final int F_NEEDS_CSUM = 1;
    static final int F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_TCPV6 = 4;
    static final int GSO_ECN = 0x80;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int TCP_FIN = 0x01;
    static final int TCP_SYN = 0x02;
    static final int TCP_RST = 0x04;
    static final int TCP_PSH = 0x08;
    static final int TCP_ACK = 0x10;
    static final int TCP_URG = 0x20;
    static final int TCP_ECE = 0x40;
    static final int TCP_CWR = 0x80;
    /** The largest IP packet a coalesced write may produce. */
    static final int MAX_COALESCED = 65535;

    static final int MAX_COALESCED_SEGMENTS = 64;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Offload() {}

    // ------------------------------------------------------------------------------------------- checksums

    /** The ones-complement sum of {@code b[off, off+len)} as big-endian 16-bit words, added to {@code sum}, unfolded. */
    static long sum(byte[] b, int off, int len, long sum) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long v = (long) LONG_BE.get(b, off + i);
            sum += (v >>> 32) + (v & 0xffffffffL);
        }
        for (; i + 2 <= len; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if (i < len) {
            sum += (b[off + i] & 0xff) << 8;
        }
        return sum;
    }

    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The pseudo-header sum for an L4 checksum of a packet starting at {@code ip}. */
    static long pseudoHeaderSum(byte[] b, int ip, boolean v6, int proto, int l4Length) {
        long s;
        if (v6) {
            s = sum(b, ip + 8, 32, 0);
        } else {
            s = sum(b, ip + 12, 8, 0);
        }
        return s + proto + l4Length;
    }

    static void putShort(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    static int getShort(byte[] b, int o) {
        return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
    }

    static long getInt(byte[] b, int o) {
        return ((long) getShort(b, o) << 16) | getShort(b, o + 2);
    }

    static void putInt(byte[] b, int o, long v) {
        putShort(b, o, (int) (v >>> 16));
        putShort(b, o + 2, (int) v);
    }

    static void ipv4HeaderChecksum(byte[] b, int ip, int ihl) {
        putShort(b, ip + 10, 0);
        putShort(b, ip + 10, ~fold(sum(b, ip, ihl, 0)) & 0xffff);
    }

    /**
     * Completes a partial checksum ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}): the field at {@code start + offset} holds
     * the pseudo-header sum; the checksum covers everything from {@code start} to the end of the packet.
     */
    static boolean completeChecksum(byte[] b, int pkt, int len, int start, int offset) {
        if (start < 0 || start + offset + 2 > len) {
            return false;
        }
        int c = ~fold(sum(b, pkt + start, len - start, 0)) & 0xffff;
        putShort(b, pkt + start + offset, c);
        return true;
    }

    /** Recomputes the full TCP checksum of a packet (IP header length {@code ipHl}, TCP segment {@code l4Len}). */
    static void tcpChecksum(byte[] b, int ip, boolean v6, int ipHl, int l4Len) {
        int tcp = ip + ipHl;
        putShort(b, tcp + 16, 0);
        long s = pseudoHeaderSum(b, ip, v6, PROTO_TCP, l4Len);
        s = sum(b, tcp, l4Len, s);
        int c = ~fold(s) & 0xffff;
        putShort(b, tcp + 16, c);
    }

    // ------------------------------------------------------------------------------------------- segmentation

    /** Where a TCP super-packet's headers are. */
    record TcpLayout(boolean v6, int ipHl, int tcpHl) {
        int headers() {
            return ipHl + tcpHl;
        }
    }

    /** Validates a TCP packet at {@code ip} and returns its layout, or null. */
    static TcpLayout tcpLayout(byte[] b, int ip, int len) {
        if (len < 20) {
            return null;
        }
        int version = (b[ip] & 0xff) >>> 4;
        boolean v6;
        int ipHl;
        if (version == 4) {
            v6 = false;
            ipHl = (b[ip] & 0x0f) * 4;
            if (ipHl < 20 || b[ip + 9] != PROTO_TCP) {
                return null;
            }
        } else if (version == 6) {
            v6 = true;
            ipHl = 40;
            if (len < 40 || b[ip + 6] != PROTO_TCP) {
                return null; // extension headers are not segmented or coalesced here
            }
        } else {
            return null;
        }
        if (len < ipHl + 20) {
            return null;
        }
        int tcpHl = ((b[ip + ipHl + 12] & 0xff) >>> 4) * 4;
        if (tcpHl < 20 || len < ipHl + tcpHl) {
            return null;
        }
        return new TcpLayout(v6, ipHl, tcpHl);
    }

    /** How many segments a super-packet of {@code len} bytes cuts into. */
    static int segmentCount(TcpLayout t, int len, int gsoSize) {
        int payload = len - t.headers();
        return payload <= 0 ? 1 : (payload + gsoSize - 1) / gsoSize;
    }

    /**
     * Writes segment {@code s} (of {@code count}) of the TCP super-packet {@code src[ip, ip+len)} to
     * {@code dst[at, …)} and returns its length. Headers are copied and fixed: IPv4 length, id and header checksum,
     * IPv6 payload length, TCP sequence number, FIN/PSH only on the last and CWR only on the first segment, TCP
     * checksum.
     */
    static int writeSegment(
            byte[] src, int ip, int len, TcpLayout t, int gsoSize, int s, int count, byte[] dst, int at) {
        int hdr = t.headers();
        int payloadStart = hdr + s * gsoSize;
        int segPayload = Math.min(gsoSize, len - payloadStart);
        if (segPayload < 0) {
            segPayload = 0;
        }
        System.arraycopy(src, ip, dst, at, hdr);
        System.arraycopy(src, ip + payloadStart, dst, at + hdr, segPayload);
        int segLen = hdr + segPayload;
        if (t.v6()) {
            putShort(dst, at + 4, segLen - 40);
        } else {
            putShort(dst, at + 2, segLen);
            putShort(dst, at + 4, (getShort(src, ip + 4) + s) & 0xffff);
            ipv4HeaderChecksum(dst, at, t.ipHl());
        }
        int tcp = at + t.ipHl();
        putInt(dst, tcp + 4, (getInt(src, ip + t.ipHl() + 4) + (long) s * gsoSize) & 0xffffffffL);
        int flags = dst[tcp + 13] & 0xff;
        if (s != count - 1) {
            flags &= ~(TCP_FIN | TCP_PSH);
        }
        if (s != 0) {
            flags &= ~TCP_CWR;
        }
        dst[tcp + 13] = (byte) flags;
        tcpChecksum(dst, at, t.v6(), t.ipHl(), segLen - t.ipHl());
        return segLen;
    }

    // ------------------------------------------------------------------------------------------- coalescing

    /**
     * True if {@code b[p, p+plen)} can be appended to the group that starts with {@code first[f, f+flen)}: same
     * addresses, ports, ack, window, header bytes and TCP options; sequence number {@code expectedSeq}; only ACK
     * (and PSH on the packet that ends the group) set; a payload of at most {@code gsoSize}.
     */
    static boolean canCoalesce(
            byte[] first, int f, TcpLayout tf, byte[] b, int p, int plen, TcpLayout tp, long expectedSeq, int gsoSize) {
        if (tp == null || tp.v6() != tf.v6() || tp.ipHl() != tf.ipHl() || tp.tcpHl() != tf.tcpHl()) {
            return false;
        }
        int payload = plen - tp.headers();
        if (payload <= 0 || payload > gsoSize) {
            return false;
        }
        if (tf.v6()) {
            // version, traffic class, flow label (0..3), next header and hop limit (6..7), addresses (8..39)
            if (!same(first, f, b, p, 4) || !same(first, f + 6, b, p + 6, 34)) {
                return false;
            }
        } else {
            // TOS (1), flags+fragment (6..7: no fragments), TTL+protocol (8..9), addresses (12..19), options
            if (first[f + 1] != b[p + 1]
                    || !same(first, f + 8, b, p + 8, 2)
                    || !same(first, f + 12, b, p + 12, 8)
                    || (getShort(b, p + 6) & 0x3fff) != 0
                    || (getShort(first, f + 6) & 0x3fff) != 0
                    || !same(first, f + 20, b, p + 20, tf.ipHl() - 20)) {
                return false;
            }
        }
        int tcpF = f + tf.ipHl();
        int tcpP = p + tp.ipHl();
        if (!same(first, tcpF, b, tcpP, 4) // ports
                || !same(first, tcpF + 8, b, tcpP + 8, 4) // ack
                || first[tcpF + 12] != b[tcpP + 12] // data offset
                || !same(first, tcpF + 14, b, tcpP + 14, 2) // window
                || !same(first, tcpF + 20, b, tcpP + 20, tf.tcpHl() - 20)) { // options, e.g. timestamps
            return false;
        }
        int flags = b[tcpP + 13] & 0xff;
        if ((flags & ~(TCP_ACK | TCP_PSH)) != 0 || (flags & TCP_ACK) == 0) {
            return false;
        }
        return getInt(b, tcpP + 4) == (expectedSeq & 0xffffffffL);
    }

    /** True if a packet may start a coalesced group (a data segment with only ACK set). */
    static boolean canStartGroup(byte[] b, int p, int plen, TcpLayout t) {
        if (t == null || plen - t.headers() <= 0) {
            return false;
        }
        if (!t.v6() && (getShort(b, p + 6) & 0x3fff) != 0) {
            return false;
        }
        int flags = b[p + t.ipHl() + 13] & 0xff;
        return flags == TCP_ACK;
    }

    private static boolean same(byte[] a, int ao, byte[] b, int bo, int n) {
        return Arrays.equals(a, ao, ao + n, b, bo, bo + n);
    }

    /**
     * Finishes a coalesced super-packet {@code b[ip, ip+len)} (headers of the first segment, payloads appended):
     * lengths, IPv4 header checksum, PSH from the last segment, and the TCP checksum field set to the pseudo-header
     * sum, as {@code VIRTIO_NET_HDR_F_NEEDS_CSUM} asks; then writes the virtio header at {@code hdr}.
     */
    static void finishCoalesced(byte[] b, int ip, int len, TcpLayout t, boolean psh, int gsoSize, int hdr) {
        if (t.v6()) {
            putShort(b, ip + 4, len - 40);
        } else {
            putShort(b, ip + 2, len);
            ipv4HeaderChecksum(b, ip, t.ipHl());
        }
        int tcp = ip + t.ipHl();
        if (psh) {
            b[tcp + 13] |= TCP_PSH;
        }
        int l4 = len - t.ipHl();
        putShort(b, tcp + 16, fold(pseudoHeaderSum(b, ip, t.v6(), PROTO_TCP, l4)));
        writeVnetHeader(b, hdr, F_NEEDS_CSUM, t.v6() ? GSO_TCPV6 : GSO_TCPV4, t.headers(), gsoSize, t.ipHl(), 16);
    }

    /**
     * Glues packet {@code i} of {@code batch} and the following segments of the same TCP flow into one super-packet
     * with its virtio header at {@code out[0]}. Returns {@code (nextIndex << 32) | bytesWritten}; when fewer than two
     * segments fit together, nextIndex is {@code i + 1} and nothing is written.
     */
    static long coalesce(PacketBatch batch, int i, TcpLayout t, byte[] out) {
        byte[] first = batch.buffer(i);
        int f = batch.offset(i);
        int flen = batch.length(i);
        int gso = flen - t.headers();
        long expected = getInt(first, f + t.ipHl() + 4) + gso;
        int total = flen;
        int count = 1;
        boolean psh = false;
        int j = i + 1;
        int n = batch.count();
        int last = i;
        while (j < n && count < MAX_COALESCED_SEGMENTS) {
            int lj = batch.length(j);
            if (lj <= 0) {
                j++;
                continue;
            }
            byte[] bj = batch.buffer(j);
            int oj = batch.offset(j);
            TcpLayout tj = tcpLayout(bj, oj, lj);
            int payload = lj - t.headers();
            if (!canCoalesce(first, f, t, bj, oj, lj, tj, expected, gso) || total + payload > MAX_COALESCED) {
                break;
            }
            total += payload;
            expected += payload;
            count++;
            last = j;
            j++;
            psh = (bj[oj + t.ipHl() + 13] & TCP_PSH) != 0;
            if (payload < gso || psh) {
                break;
            }
        }
        if (count < 2) {
            return ((long) (i + 1)) << 32;
        }
        int pkt = VNET_HDR_LEN;
        System.arraycopy(first, f, out, pkt, flen);
        int at = pkt + flen;
        for (int k = i + 1; k <= last; k++) {
            int lk = batch.length(k);
            if (lk <= 0) {
                continue;
            }
            int payload = lk - t.headers();
            System.arraycopy(batch.buffer(k), batch.offset(k) + t.headers(), out, at, payload);
            at += payload;
        }
        finishCoalesced(out, pkt, total, t, psh, gso, 0);
        return (((long) (last + 1)) << 32) | (VNET_HDR_LEN + total);
    }

    static void writeVnetHeader(
            byte[] b, int at, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        b[at] = (byte) flags;
        b[at + 1] = (byte) gsoType;
        putLe16(b, at + 2, hdrLen);
        putLe16(b, at + 4, gsoSize);
        putLe16(b, at + 6, csumStart);
        putLe16(b, at + 8, csumOffset);
    }

    static int le16(byte[] b, int o) {
        return (b[o] & 0xff) | ((b[o + 1] & 0xff) << 8);
    }

    static void putLe16(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
    }
}
