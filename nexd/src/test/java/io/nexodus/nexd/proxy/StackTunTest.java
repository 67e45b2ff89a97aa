package io.nexodus.nexd.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.netstack.NetStack;
import io.nexodus.netstack.NetStackConfig;
import io.nexodus.wireguard.bind.PacketBatch;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The WireGuard device's view of the userspace stack: packets in, packets out, drops counted, close wakes readers. */
class StackTunTest {
    private static final String ME = "100.64.0.5";
    private static final String PEER = "100.64.0.7";

    private final StackTun tun = new StackTun("nexd-test", 1420, 4);

    @AfterEach
    void close() {
        tun.close();
    }

    private static NetStackConfig config() throws Exception {
        return NetStackConfig.defaults(List.of(InetAddress.ofLiteral(ME))).withMtu(1420);
    }

    @Test
    void aPingFromAPeerIsAnsweredThroughTheQueue() throws Exception {
        tun.attach(config());
        PacketBatch in = batchOf(echoRequest(PEER, ME, 7));
        tun.write(in);

        PacketBatch out = new PacketBatch(8, 2048);
        assertThat(tun.read(out)).isEqualTo(1);
        byte[] reply = Arrays.copyOfRange(out.buffer(0), out.offset(0), out.offset(0) + out.length(0));
        assertThat(out.offset(0)).isEqualTo(PacketBatch.HEADROOM);
        assertThat(reply[9]).isEqualTo((byte) 1); // ICMP
        assertThat(InetAddress.getByAddress(Arrays.copyOfRange(reply, 12, 16)).getHostAddress())
                .isEqualTo(ME);
        assertThat(InetAddress.getByAddress(Arrays.copyOfRange(reply, 16, 20)).getHostAddress())
                .isEqualTo(PEER);
        assertThat(reply[20]).isEqualTo((byte) 0); // echo reply
    }

    @Test
    void packetsBeforeAStackIsAttachedAreDroppedAndCounted() throws Exception {
        assertThat(tun.stack()).isNull();
        tun.write(batchOf(echoRequest(PEER, ME, 1)));
        assertThat(tun.noStackDrops()).isEqualTo(1);
    }

    @Test
    void aFullQueueDropsAndCountsAndReadTakesABatch() throws Exception {
        tun.attach(config());
        // capacity 4: four replies queue, the rest are dropped
        for (int i = 0; i < 6; i++) {
            tun.write(batchOf(echoRequest(PEER, ME, i)));
        }
        assertThat(tun.queueFullDrops()).isEqualTo(2);
        PacketBatch out = new PacketBatch(3, 2048);
        assertThat(tun.read(out)).isEqualTo(3); // at most the batch's capacity
        assertThat(tun.read(out)).isEqualTo(1);
    }

    @Test
    void closeWakesABlockedReaderAndClosesTheStack() throws Exception {
        NetStack stack = tun.attach(config());
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> tun.read(new PacketBatch(8, 2048)));
        Thread.sleep(50);
        assertThat(reader).isNotDone();
        tun.close();
        assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(tun.read(new PacketBatch(8, 2048))).isEqualTo(-1);
        assertThatThrownBy(() -> stack.listen(80, 1)).hasMessageContaining("closed");
        assertThatThrownBy(() -> tun.attach(config())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void attachingAgainReplacesAndClosesTheOldStack() throws Exception {
        NetStack first = tun.attach(config());
        NetStack second = tun.attach(NetStackConfig.defaults(List.of(InetAddress.ofLiteral("100.64.0.6"))));
        assertThat(tun.stack()).isSameAs(second);
        assertThatThrownBy(() -> first.openUdp(53)).hasMessageContaining("closed");
        second.openUdp(53).close();
    }

    static PacketBatch batchOf(byte[] packet) {
        PacketBatch b = new PacketBatch(1, 2048);
        System.arraycopy(packet, 0, b.buffer(0), PacketBatch.HEADROOM, packet.length);
        b.set(0, PacketBatch.HEADROOM, packet.length, null);
        b.count(1);
        return b;
    }

    /** An IPv4 ICMP echo request with valid checksums. */
    static byte[] echoRequest(String from, String to, int sequence) throws Exception {
        byte[] p = new byte[20 + 8 + 4];
        p[0] = 0x45;
        p[2] = (byte) (p.length >> 8);
        p[3] = (byte) p.length;
        p[8] = 64;
        p[9] = 1;
        System.arraycopy(InetAddress.ofLiteral(from).getAddress(), 0, p, 12, 4);
        System.arraycopy(InetAddress.ofLiteral(to).getAddress(), 0, p, 16, 4);
        int c = checksum(p, 0, 20);
        p[10] = (byte) (c >> 8);
        p[11] = (byte) c;
        p[20] = 8; // echo request
        p[24] = 0x12;
        p[25] = 0x34;
        p[26] = (byte) (sequence >> 8);
        p[27] = (byte) sequence;
        p[28] = 'p';
        p[29] = 'i';
        p[30] = 'n';
        p[31] = 'g';
        c = checksum(p, 20, p.length - 20);
        p[22] = (byte) (c >> 8);
        p[23] = (byte) c;
        return p;
    }

    private static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) == 1) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
