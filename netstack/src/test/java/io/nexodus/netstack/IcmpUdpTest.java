package io.nexodus.netstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IcmpUdpTest {
    static final InetAddress US = PacketCodecTest.A4;
    static final InetAddress US6 = PacketCodecTest.A6;
    static final InetAddress PEER = PacketCodecTest.B4;
    static final InetAddress PEER6 = PacketCodecTest.B6;

    final List<byte[]> out = new ArrayList<>();
    final NetStack stack = new NetStack(
            NetStackConfig.defaults(List.of(US, US6)).withUdpQueue(2),
            out::add,
            new ManualTicker(),
            new SplittableRandom(1));

    void in(byte[] p) {
        stack.input(p, 0, p.length);
    }

    IpPacket sent() throws Malformed {
        assertThat(out).isNotEmpty();
        byte[] p = out.removeFirst();
        return PacketCodec.parseIp(p, 0, p.length);
    }

    @Test
    void answersEchoRequestsToItsAddressesOverBothFamilies() throws Malformed {
        in(PacketCodec.encodeIcmpEcho(PEER, US, new IcmpEcho(true, 77, 3, new byte[] {1, 2, 3})));
        IpPacket r = sent();
        assertThat(r.src()).isEqualTo(US);
        assertThat(r.dst()).isEqualTo(PEER);
        IcmpEcho e = PacketCodec.parseIcmpEcho(r);
        assertThat(e.request()).isFalse();
        assertThat(e.identifier()).isEqualTo(77);
        assertThat(e.sequence()).isEqualTo(3);
        assertThat(e.data()).containsExactly(1, 2, 3);

        in(PacketCodec.encodeIcmpEcho(PEER6, US6, new IcmpEcho(true, 1, 1, new byte[0])));
        IcmpEcho e6 = PacketCodec.parseIcmpEcho(sent());
        assertThat(e6.request()).isFalse();

        in(PacketCodec.encodeIcmpEcho(PEER, PacketCodecTest.addr("10.9.9.9"), new IcmpEcho(true, 1, 1, new byte[0])));
        in(PacketCodec.encodeIcmpEcho(PEER, US, new IcmpEcho(false, 1, 1, new byte[0])));
        assertThat(out).isEmpty();
        assertThat(stack.stats().drops(DropReason.NOT_FOR_US)).isEqualTo(1);
        assertThat(stack.stats().drops(DropReason.ICMP_UNHANDLED)).isEqualTo(1);
    }

    @Test
    void udpSocketsSendAndReceiveWithABoundedQueue() throws Exception {
        UdpSocket s = stack.openUdp(53);
        in(PacketCodec.encodeUdp(PEER, US, new UdpDatagram(5000, 53, new byte[] {1})));
        in(PacketCodec.encodeUdp(PEER6, US6, new UdpDatagram(5001, 53, new byte[] {2})));
        in(PacketCodec.encodeUdp(PEER, US, new UdpDatagram(5000, 53, new byte[] {3}))); // queue of 2: dropped
        in(PacketCodec.encodeUdp(PEER, US, new UdpDatagram(5000, 54, new byte[] {4}))); // nobody bound
        Datagram d = s.receive(Duration.ZERO);
        assertThat(d.source()).isEqualTo(new InetSocketAddress(PEER, 5000));
        assertThat(d.destination()).isEqualTo(new InetSocketAddress(US, 53));
        assertThat(d.data()).containsExactly(1);
        assertThat(s.receive(Duration.ZERO).source().getAddress()).isEqualTo(PEER6);
        assertThatThrownBy(() -> s.receive(Duration.ofMillis(1))).isInstanceOf(SocketTimeoutException.class);
        assertThat(stack.stats().drops(DropReason.UDP_QUEUE_FULL)).isEqualTo(1);
        assertThat(stack.stats().drops(DropReason.UDP_NO_SOCKET)).isEqualTo(1);

        s.send(new InetSocketAddress(PEER6, 6000), new byte[] {9, 9});
        IpPacket p = sent();
        assertThat(p.src()).isEqualTo(US6);
        UdpDatagram u = PacketCodec.parseUdp(p);
        assertThat(u.srcPort()).isEqualTo(53);
        assertThat(u.dstPort()).isEqualTo(6000);
        assertThat(u.payload()).containsExactly(9, 9);
        assertThatThrownBy(() -> s.send(new InetSocketAddress(PEER, 1), new byte[1500]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("too long");

        assertThatThrownBy(() -> stack.openUdp(53)).isInstanceOf(BindException.class);
        s.close();
        assertThatThrownBy(() -> s.receive(Duration.ZERO)).isInstanceOf(SocketException.class);
        UdpSocket eph = stack.openUdp(0);
        assertThat(eph.port()).isBetween(32768, 60999);
    }

    @Test
    void aBlockedReceiverWakesOnADatagram() throws Exception {
        UdpSocket s = stack.openUdp(53);
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            in(PacketCodec.encodeUdp(PEER, US, new UdpDatagram(5000, 53, new byte[] {7})));
        });
        assertThat(s.receive(Duration.ofSeconds(10)).data()).containsExactly(7);
        t.join();
    }
}
