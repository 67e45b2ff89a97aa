package io.nexodus.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.wireguard.bind.UdpBind;
import io.nexodus.wireguard.device.Device;
import io.nexodus.wireguard.tun.MemoryTun;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real devices (their own threads, FFM UDP sockets on 127.0.0.1, no kernel TUN) configured only through their
 * UAPI sockets, exchanging packets. Needs no root.
 */
class LoopbackDevicesTest {
    static byte[] ip4(String src, String dst, int n) throws Exception {
        byte[] p = new byte[20 + n];
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = 64;
        p[9] = 17;
        System.arraycopy(InetAddress.getByName(src).getAddress(), 0, p, 12, 4);
        System.arraycopy(InetAddress.getByName(dst).getAddress(), 0, p, 16, 4);
        for (int i = 20; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    @Test
    void configureThroughUapiAndPassPacketsOverRealUdp(@TempDir Path dir) throws Exception {
        NodePrivateKey ka = NodePrivateKey.generate();
        NodePrivateKey kb = NodePrivateKey.generate();
        InetAddress lo = InetAddress.getLoopbackAddress();
        Path socketA;
        try (Device a = Device.builder().noTun("lta").bind(new UdpBind(lo)).build();
                Device b = Device.builder().noTun("ltb").bind(new UdpBind(lo)).build()) {
            UapiServer ua = UapiServer.start(a, dir.resolve("lta.sock"));
            socketA = ua.socketPath();
            UapiServer ub = UapiServer.start(b, dir.resolve("ltb.sock"));
            assertThat(UapiClient.request(
                            ua.socketPath(),
                            "set=1\nprivate_key=" + ka.toHex() + "\npublic_key="
                                    + kb.publicKey().toHex() + "\nendpoint=127.0.0.1:" + b.listenPort()
                                    + "\nreplace_allowed_ips=true\nallowed_ip=10.9.0.2/32\n\n"))
                    .isEqualTo("errno=0\n\n");
            assertThat(UapiClient.request(
                            ub.socketPath(),
                            "set=1\nprivate_key=" + kb.toHex() + "\npublic_key="
                                    + ka.publicKey().toHex() + "\nallowed_ip=10.9.0.1/32\n\n"))
                    .isEqualTo("errno=0\n\n");
            assertThat(UapiClient.request(ua.socketPath(), "set=1\nbogus=1\n\n"))
                    .isEqualTo("errno=-22\n\n");

            MemoryTun ta = (MemoryTun) a.tun();
            MemoryTun tb = (MemoryTun) b.tun();
            byte[] p = ip4("10.9.0.1", "10.9.0.2", 1000);
            ta.inject(p);
            assertThat(tb.poll(5000)).isEqualTo(p);
            byte[] q = ip4("10.9.0.2", "10.9.0.1", 1380);
            tb.inject(q);
            assertThat(ta.poll(5000)).isEqualTo(q);
            for (int i = 0; i < 500; i++) {
                ta.inject(ip4("10.9.0.1", "10.9.0.2", i));
            }
            int got = 0;
            while (got < 500 && tb.poll(2000) != null) {
                got++;
            }
            assertThat(got).isEqualTo(500);

            String get = UapiClient.request(ua.socketPath(), "get=1\n\n");
            assertThat(get)
                    .startsWith("private_key=" + ka.toHex() + "\nlisten_port=" + a.listenPort() + "\n")
                    .contains(
                            "public_key=" + kb.publicKey().toHex(),
                            "endpoint=127.0.0.1:" + b.listenPort(),
                            "allowed_ip=10.9.0.2/32")
                    .doesNotContain("last_handshake_time_sec=0\n")
                    .endsWith("errno=0\n\n");
            assertThat(UapiClient.request(ub.socketPath(), "get=1\n\n"))
                    .contains("endpoint=127.0.0.1:" + a.listenPort());

            // Two operations on one connection, as wireguard-go allows.
            assertThat(UapiClient.request(ua.socketPath(), "set=1\nlisten_port=0\n\nget=1\n\n"))
                    .startsWith("errno=0\n\n");
        }
        assertThat(Files.exists(socketA))
                .as("closing the device removes its UAPI socket")
                .isFalse();
    }

    @Test
    void deletingTheSocketFileShutsTheDeviceDown(@TempDir Path dir) throws Exception {
        try (Device a = Device.builder()
                .noTun("ltc")
                .bind(new UdpBind(InetAddress.getLoopbackAddress()))
                .build()) {
            UapiServer s = UapiServer.start(a, dir.resolve("ltc.sock"));
            Files.delete(s.socketPath());
            a.closed().get(5, TimeUnit.SECONDS);
        }
    }
}
