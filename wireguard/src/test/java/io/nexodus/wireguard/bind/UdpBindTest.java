package io.nexodus.wireguard.bind;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The FFM UDP bind on loopback: batches, STUN demultiplexing, raw sends, rebinding, marks need root (skipped). */
class UdpBindTest {
    /** A received datagram and its source. */
    static final class Got {
        private final byte[] data;
        private final Endpoint from;

        Got(byte[] data, Endpoint from) {
            this.data = data;
            this.from = from;
        }

        byte[] data() {
            return data;
        }

        Endpoint from() {
            return from;
        }
    }

    @Test
    void deliversWireGuardToTheReceiverAndStunToTheHandler() throws Exception {
        BlockingQueue<Got> wg = new ArrayBlockingQueue<>(100);
        BlockingQueue<Got> stun = new ArrayBlockingQueue<>(100);
        InetAddress lo = InetAddress.getLoopbackAddress();
        UdpBind bind = new UdpBind(lo);
        bind.onNonWireGuard((buf, from) -> {
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            stun.add(new Got(b, new UdpEndpoint(from)));
        });
        try (DatagramSocket peer = new DatagramSocket(0, lo)) {
            int port = bind.open(0, batch -> {
                for (int i = 0; i < batch.count(); i++) {
                    byte[] b = Arrays.copyOfRange(batch.buffer(i), batch.offset(i), batch.offset(i) + batch.length(i));
                    wg.add(new Got(b, batch.endpoint(i)));
                }
            });
            assertThat(port).isPositive().isEqualTo(bind.port());
            InetSocketAddress to = new InetSocketAddress(lo, port);
            byte[] wgMsg = new byte[148];
            wgMsg[0] = 1;
            peer.send(new DatagramPacket(wgMsg, wgMsg.length, to));
            // A STUN binding request: type 0x0001, length 0, magic cookie, transaction id.
            byte[] stunMsg = new byte[20];
            stunMsg[1] = 1;
            ByteBuffer.wrap(stunMsg).putInt(4, 0x2112A442);
            peer.send(new DatagramPacket(stunMsg, stunMsg.length, to));
            Got g = wg.poll(5, TimeUnit.SECONDS);
            assertThat(g.data()).isEqualTo(wgMsg);
            assertThat(g.from()).isEqualTo(UdpEndpoint.of(lo, peer.getLocalPort()));
            Got s = stun.poll(5, TimeUnit.SECONDS);
            assertThat(s.data()).isEqualTo(stunMsg);
            assertThat(wg.poll(200, TimeUnit.MILLISECONDS)).isNull();

            // A raw datagram from the WireGuard port (an agent's STUN request) and a batch send.
            bind.sendDatagram(new InetSocketAddress(lo, peer.getLocalPort()), ByteBuffer.wrap(stunMsg));
            DatagramPacket in = new DatagramPacket(new byte[2000], 2000);
            peer.setSoTimeout(5000);
            peer.receive(in);
            assertThat(in.getLength()).isEqualTo(20);
            assertThat(in.getPort()).isEqualTo(port);
            PacketBatch batch = new PacketBatch(8, 2048);
            for (int i = 0; i < 8; i++) {
                batch.buffer(i)[0] = (byte) i;
                batch.set(i, 0, 100 + i, i == 3 ? null : UdpEndpoint.of(lo, peer.getLocalPort()));
            }
            batch.count(8);
            bind.send(batch);
            int received = 0;
            for (int i = 0; i < 7; i++) {
                peer.receive(in);
                assertThat(in.getLength()).isEqualTo(100 + in.getData()[0]);
                received++;
            }
            assertThat(received).isEqualTo(7);

            // Rebinding moves to a new port; the old one is closed.
            int newPort = bind.open(0, b -> {});
            assertThat(newPort).isNotEqualTo(port);
        } finally {
            bind.close();
        }
        assertThat(bind.port()).isZero();
    }
}
