package io.nexodus.wireguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.RequiresNetns;
import io.nexodus.wireguard.bind.UdpBind;
import io.nexodus.wireguard.crypto.PresharedKey;
import io.nexodus.wireguard.device.Device;
import io.nexodus.wireguard.device.IpPrefix;
import io.nexodus.wireguard.device.PeerStats;
import io.nexodus.wireguard.uapi.UapiServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock {@code wg} tool (Debian wireguard-tools) driving a Java device through /var/run/wireguard/NAME.sock:
 * set, setconf, syncconf, showconf, show dump/fwmark, peer removal. The device has no kernel TUN and its UDP socket is
 * on loopback; nothing leaves the host.
 */
@RequiresNetns(commands = {"wg"})
class WgToolIT {
    @Test
    void wgSetSetconfSyncconfShowconfRoundTrip(@TempDir Path tmp) throws Exception {
        String name = JavaTunnelIT.uniqueName("wjt");
        NodePrivateKey priv = NodePrivateKey.generate();
        NodePublicKey p1 = NodePrivateKey.generate().publicKey();
        NodePublicKey p2 = NodePrivateKey.generate().publicKey();
        PresharedKey psk = PresharedKey.generate();
        try (Device d = Device.builder()
                        .noTun(name)
                        .bind(new UdpBind(InetAddress.getLoopbackAddress()))
                        .build();
                UapiServer _ = UapiServer.start(d)) {
            Path keyFile = Files.writeString(tmp.resolve("key"), priv.toBase64() + "\n");
            Path pskFile = Files.writeString(tmp.resolve("psk"), psk.toBase64() + "\n");
            Cmd.run(
                    "wg",
                    "set",
                    name,
                    "private-key",
                    keyFile.toString(),
                    "listen-port",
                    "0",
                    "fwmark",
                    "51820",
                    "peer",
                    p1.toBase64(),
                    "preshared-key",
                    pskFile.toString(),
                    "endpoint",
                    "127.0.0.1:9",
                    "allowed-ips",
                    "10.1.0.5/16,fd01::/64",
                    "persistent-keepalive",
                    "0");
            assertThat(d.publicKey()).isEqualTo(priv.publicKey());
            assertThat(Cmd.run("wg", "show", name, "public-key").stdout().strip())
                    .isEqualTo(priv.publicKey().toBase64());
            assertThat(Cmd.run("wg", "show", name, "fwmark").stdout().strip()).isEqualTo("0xca6c");
            assertThat(((UdpBind) d.bind()).mark()).isEqualTo(51820);
            assertThat(Cmd.run("wg", "show", "interfaces").stdout()).contains(name);

            String conf = Cmd.run("wg", "showconf", name).stdout();
            assertThat(conf)
                    .contains(
                            "[Interface]",
                            "ListenPort = " + d.listenPort(),
                            "FwMark = 0xca6c",
                            "PrivateKey = " + priv.toBase64(),
                            "[Peer]",
                            "PublicKey = " + p1.toBase64(),
                            "PresharedKey = " + psk.toBase64(),
                            "AllowedIPs = 10.1.0.0/16, fd01::/64",
                            "Endpoint = 127.0.0.1:9");

            // setconf replaces everything with the file, including peers.
            Path two = Files.writeString(
                    tmp.resolve("two.conf"), """
                    [Interface]
                    PrivateKey = %s
                    ListenPort = 0

                    [Peer]
                    PublicKey = %s
                    AllowedIPs = 10.2.0.0/24
                    Endpoint = 127.0.0.1:10
                    PersistentKeepalive = 0

                    [Peer]
                    PublicKey = %s
                    AllowedIPs = 10.3.0.0/24, fd03::/64
                    """.formatted(priv.toBase64(), p1.toBase64(), p2.toBase64()));
            Cmd.run("wg", "setconf", name, two.toString());
            assertThat(d.peers()).extracting(PeerStats::publicKey).containsExactlyInAnyOrder(p1, p2);
            PeerStats s1 = d.peer(p1).orElseThrow();
            assertThat(s1.allowedIps()).containsExactly(IpPrefix.parse("10.2.0.0/24"));
            assertThat(s1.presharedKey()).isNull();
            assertThat(d.status().fwmark()).isZero();

            // showconf → setconf round trip is a fixed point.
            String before = Cmd.run("wg", "showconf", name).stdout();
            Path again = Files.writeString(tmp.resolve("again.conf"), before);
            Cmd.run("wg", "setconf", name, again.toString());
            assertThat(Cmd.run("wg", "showconf", name).stdout()).isEqualTo(before);

            // syncconf removes peers missing from the file and keeps the rest.
            Path one = Files.writeString(tmp.resolve("one.conf"), """
                    [Interface]
                    PrivateKey = %s

                    [Peer]
                    PublicKey = %s
                    AllowedIPs = 10.3.0.0/24, 10.4.0.0/24
                    """.formatted(priv.toBase64(), p2.toBase64()));
            Cmd.run("wg", "syncconf", name, one.toString());
            assertThat(d.peers()).extracting(PeerStats::publicKey).containsExactly(p2);
            assertThat(d.peer(p2).orElseThrow().allowedIps())
                    .containsExactlyInAnyOrder(IpPrefix.parse("10.3.0.0/24"), IpPrefix.parse("10.4.0.0/24"));

            String dump = Cmd.run("wg", "show", name, "dump").stdout();
            assertThat(dump.lines().toList()).hasSize(2);
            assertThat(dump.lines().toList().get(1))
                    .startsWith(p2.toBase64() + "\t(none)\t(none)\t10.3.0.0/24,10.4.0.0/24\t0\t0\t0\toff");

            Cmd.run("wg", "set", name, "peer", p2.toBase64(), "remove");
            assertThat(d.peers()).isEmpty();
            try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                Cmd.Result bad = Cmd.tryRun(
                        Duration.ofSeconds(10),
                        List.of("wg", "set", name, "listen-port", String.valueOf(taken.getLocalPort())));
                assertThat(bad.ok()).isFalse();
                assertThat(bad.stderr()).contains("Address already in use");
            }
        }
        assertThat(Files.exists(UapiServer.DEFAULT_DIRECTORY.resolve(name + ".sock")))
                .isFalse();
    }
}
