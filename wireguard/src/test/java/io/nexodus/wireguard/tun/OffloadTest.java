package io.nexodus.wireguard.tun;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.wireguard.bind.PacketBatch;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TSO segmentation and TCP coalescing, checked against a plain 16-bit-at-a-time checksum written here. */
class OffloadTest {
    static int refSum(byte[] b, int off, int len, long start) {
        long s = start;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            s += (hi << 8) | lo;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** True if the L4 checksum of the TCP packet verifies (the sum over pseudo-header and segment is 0xffff). */
    static boolean tcpChecksumOk(byte[] b, int ip, int len, boolean v6) {
        int ipHl = v6 ? 40 : (b[ip] & 0xf) * 4;
        int l4 = len - ipHl;
        long pseudo = v6 ? refSum(b, ip + 8, 32, 0) : refSum(b, ip + 12, 8, 0);
        pseudo += 6 + l4;
        return refSum(b, ip + ipHl, l4, pseudo) == 0xffff;
    }

    static byte[] tcpPacket(boolean v6, long seq, int flags, byte[] payload, int id) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int tcpHl = 32; // with a 12-byte timestamp option
        int total = (v6 ? 40 : 20) + tcpHl + payload.length;
        byte[] ip;
        if (v6) {
            ip = new byte[40];
            ip[0] = 0x60;
            Offload.putShort(ip, 4, tcpHl + payload.length);
            ip[6] = 6;
            ip[7] = 64;
            System.arraycopy(InetAddress.getByName("fd00::1").getAddress(), 0, ip, 8, 16);
            System.arraycopy(InetAddress.getByName("fd00::2").getAddress(), 0, ip, 24, 16);
        } else {
            ip = new byte[20];
            ip[0] = 0x45;
            Offload.putShort(ip, 2, total);
            Offload.putShort(ip, 4, id);
            ip[6] = 0x40; // DF
            ip[8] = 64;
            ip[9] = 6;
            System.arraycopy(InetAddress.getByName("10.0.0.1").getAddress(), 0, ip, 12, 4);
            System.arraycopy(InetAddress.getByName("10.0.0.2").getAddress(), 0, ip, 16, 4);
            Offload.ipv4HeaderChecksum(ip, 0, 20);
        }
        byte[] tcp = new byte[tcpHl];
        Offload.putShort(tcp, 0, 40000);
        Offload.putShort(tcp, 2, 5201);
        Offload.putInt(tcp, 4, seq);
        Offload.putInt(tcp, 8, 777);
        tcp[12] = (byte) ((tcpHl / 4) << 4);
        tcp[13] = (byte) flags;
        Offload.putShort(tcp, 14, 512);
        tcp[20] = 1;
        tcp[21] = 1;
        tcp[22] = 8;
        tcp[23] = 10;
        Offload.putInt(tcp, 24, 123456);
        o.write(ip);
        o.write(tcp);
        o.write(payload);
        byte[] p = o.toByteArray();
        Offload.tcpChecksum(p, 0, v6, v6 ? 40 : 20, p.length - (v6 ? 40 : 20));
        return p;
    }

    @Test
    void splitsSuperPacketsIntoValidSegmentsV4AndV6() throws Exception {
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] payload = new byte[10_000];
            new Random(1).nextBytes(payload);
            byte[] sp =
                    tcpPacket(v6, 0xfffff000L, Offload.TCP_ACK | Offload.TCP_PSH | Offload.TCP_CWR, payload, 0x1234);
            Offload.TcpLayout t = Offload.tcpLayout(sp, 0, sp.length);
            assertThat(t).isNotNull();
            int gso = 1368;
            int count = Offload.segmentCount(t, sp.length, gso);
            assertThat(count).isEqualTo(8);
            ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
            for (int s = 0; s < count; s++) {
                byte[] out = new byte[2000];
                int len = Offload.writeSegment(sp, 0, sp.length, t, gso, s, count, out, 16);
                int ip = 16;
                assertThat(len).isEqualTo(t.headers() + Math.min(gso, payload.length - s * gso));
                if (v6) {
                    assertThat(Offload.getShort(out, ip + 4)).isEqualTo(len - 40);
                } else {
                    assertThat(Offload.getShort(out, ip + 2)).isEqualTo(len);
                    assertThat(Offload.getShort(out, ip + 4)).isEqualTo(0x1234 + s);
                    assertThat(refSum(out, ip, 20, 0))
                            .as("IPv4 header checksum")
                            .isEqualTo(0xffff);
                }
                int tcp = ip + t.ipHl();
                assertThat(Offload.getInt(out, tcp + 4)).isEqualTo((0xfffff000L + (long) s * gso) & 0xffffffffL);
                int flags = out[tcp + 13] & 0xff;
                assertThat((flags & Offload.TCP_PSH) != 0).isEqualTo(s == count - 1);
                assertThat((flags & Offload.TCP_CWR) != 0).isEqualTo(s == 0);
                assertThat(tcpChecksumOk(out, ip, len, v6))
                        .as("TCP checksum of segment %d", s)
                        .isTrue();
                rebuilt.write(out, ip + t.headers(), len - t.headers());
            }
            assertThat(rebuilt.toByteArray()).isEqualTo(payload);
        }
    }

    @Test
    void coalescesConsecutiveSegmentsOfOneFlowAndStopsAtBreaks() throws Exception {
        for (boolean v6 : new boolean[] {false, true}) {
            Random r = new Random(2);
            PacketBatch batch = new PacketBatch(16, 4096);
            byte[][] payloads = new byte[6][];
            long seq = 100;
            int n = 0;
            for (int k = 0; k < 6; k++) {
                payloads[k] = new byte[k == 5 ? 300 : 1000];
                r.nextBytes(payloads[k]);
                int flags = Offload.TCP_ACK | (k == 5 ? Offload.TCP_PSH : 0);
                byte[] p = tcpPacket(v6, seq, flags, payloads[k], 7 + k);
                seq += payloads[k].length;
                System.arraycopy(p, 0, batch.buffer(n), 16, p.length);
                batch.set(n, 16, p.length, null);
                n++;
            }
            // A segment of another flow (other port), then one with a sequence gap.
            byte[] other = tcpPacket(v6, seq, Offload.TCP_ACK, new byte[1000], 1);
            Offload.putShort(other, (v6 ? 40 : 20), 40001);
            System.arraycopy(other, 0, batch.buffer(n), 16, other.length);
            batch.set(n++, 16, other.length, null);
            batch.count(n);

            byte[] out = new byte[70000];
            Offload.TcpLayout t = Offload.tcpLayout(batch.buffer(0), 16, batch.length(0));
            assertThat(Offload.canStartGroup(batch.buffer(0), 16, batch.length(0), t))
                    .isTrue();
            long res = Offload.coalesce(batch, 0, t, out);
            int next = (int) (res >>> 32);
            int written = (int) res;
            assertThat(next).isEqualTo(6);
            int len = written - Offload.VNET_HDR_LEN;
            assertThat(len).isEqualTo(t.headers() + 5300);
            assertThat(out[0]).isEqualTo((byte) Offload.F_NEEDS_CSUM);
            assertThat(out[1]).isEqualTo((byte) (v6 ? Offload.GSO_TCPV6 : Offload.GSO_TCPV4));
            assertThat(Offload.le16(out, 2)).isEqualTo(t.headers());
            assertThat(Offload.le16(out, 4)).isEqualTo(1000);
            assertThat(Offload.le16(out, 6)).isEqualTo(t.ipHl());
            assertThat(Offload.le16(out, 8)).isEqualTo(16);
            int ip = Offload.VNET_HDR_LEN;
            assertThat(out[ip + t.ipHl() + 13] & Offload.TCP_PSH).isNotZero();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] p : payloads) {
                all.write(p);
            }
            assertThat(Arrays.copyOfRange(out, ip + t.headers(), ip + len)).isEqualTo(all.toByteArray());
            // What the kernel does with NEEDS_CSUM: complete the partial checksum; then it must verify.
            Offload.completeChecksum(out, ip, len, t.ipHl(), 16);
            assertThat(tcpChecksumOk(out, ip, len, v6)).isTrue();
            if (!v6) {
                assertThat(refSum(out, ip, 20, 0)).isEqualTo(0xffff);
            }
            // The other flow does not join anything.
            Offload.TcpLayout to = Offload.tcpLayout(batch.buffer(6), 16, batch.length(6));
            assertThat((int) (Offload.coalesce(batch, 6, to, out) >>> 32)).isEqualTo(7);
        }
    }

    @Test
    void completesPartialChecksums() throws Exception {
        byte[] p = tcpPacket(false, 1, Offload.TCP_ACK, new byte[333], 1);
        assertThat(tcpChecksumOk(p, 0, p.length, false)).isTrue();
        int pseudo = Offload.fold(Offload.pseudoHeaderSum(p, 0, false, 6, p.length - 20));
        Offload.putShort(p, 36, pseudo); // as the kernel leaves it with NEEDS_CSUM
        assertThat(tcpChecksumOk(p, 0, p.length, false)).isFalse();
        assertThat(Offload.completeChecksum(p, 0, p.length, 20, 16)).isTrue();
        assertThat(tcpChecksumOk(p, 0, p.length, false)).isTrue();
        assertThat(Offload.completeChecksum(p, 0, p.length, p.length, 16)).isFalse();
    }

    @Test
    void fastSumMatchesReference() {
        Random r = new Random(5);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[r.nextInt(3000) + 1];
            r.nextBytes(b);
            int off = r.nextInt(b.length);
            int len = r.nextInt(b.length - off + 1);
            assertThat(Offload.fold(Offload.sum(b, off, len, 0))).isEqualTo(refSum(b, off, len, 0));
        }
    }
}
