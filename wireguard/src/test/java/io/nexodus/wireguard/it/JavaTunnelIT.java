package io.nexodus.wireguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.Netns;
import io.nexodus.testkit.RequiresNetns;
import io.nexodus.wireguard.bind.UdpEndpoint;
import io.nexodus.wireguard.device.Device;
import io.nexodus.wireguard.device.DropReason;
import io.nexodus.wireguard.device.PeerConfig;
import io.nexodus.wireguard.device.PeerStats;
import io.nexodus.wireguard.uapi.UapiServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Java ↔ Java over kernel TUN interfaces in network namespaces. Both devices are born in ns0 (their UDP sockets stay
 * on ns0's loopback) and their interfaces move to ns1 and ns2, so traffic between ns1 and ns2 can only go through the
 * tunnel. Checks: handshake, TCP transfers with SHA-256 in both directions over IPv4 and IPv6, {@code wg show} on the
 * Java interfaces, and that the interface going away shuts the device down.
 */
@RequiresNetns(commands = {"wg"})
class JavaTunnelIT {
    static String uniqueName(String prefix) {
        return prefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    @Test
    void tcpBothWaysOverV4AndV6AndWgShowSeesIt() throws Exception {
        String ifA = uniqueName("wja");
        String ifB = uniqueName("wjb");
        NodePrivateKey ka = NodePrivateKey.generate();
        NodePrivateKey kb = NodePrivateKey.generate();
        try (Netns ns0 = Netns.create("wg0");
                Netns ns1 = Netns.create("wg1");
                Netns ns2 = Netns.create("wg2")) {
            Device a = InNetns.call(
                    ns0.name(),
                    () -> Device.builder().interfaceName(ifA).privateKey(ka).build());
            Device b = InNetns.call(
                    ns0.name(),
                    () -> Device.builder().interfaceName(ifB).privateKey(kb).build());
            try (a;
                    b;
                    UapiServer ua = UapiServer.start(a);
                    UapiServer _ = UapiServer.start(b)) {
                a.setPeer(PeerConfig.of(
                        kb.publicKey(),
                        UdpEndpoint.parse("127.0.0.1:" + b.listenPort()),
                        "10.77.0.2/32",
                        "fd77::2/128"));
                b.setPeer(PeerConfig.of(ka.publicKey(), null, "10.77.0.1/32", "fd77::1/128"));
                ns0.exec("ip", "link", "set", ifA, "netns", ns1.name());
                ns0.exec("ip", "link", "set", ifB, "netns", ns2.name());
                ns1.sh("ip addr add 10.77.0.1/24 dev " + ifA + " && ip -6 addr add fd77::1/64 dev " + ifA
                        + " nodad && ip link set " + ifA + " up");
                ns2.sh("ip addr add 10.77.0.2/24 dev " + ifB + " && ip -6 addr add fd77::2/64 dev " + ifB
                        + " nodad && ip link set " + ifB + " up");

                assertThat(ns1.exec("ping", "-c", "1", "-W", "5", "10.77.0.2").stdout())
                        .contains("1 received");
                long mb = 8L << 20;
                for (String[] dir : new String[][] {
                    {ns1.name(), ns2.name(), "10.77.0.2"}, {ns2.name(), ns1.name(), "10.77.0.1"},
                    {ns1.name(), ns2.name(), "fd77::2"}, {ns2.name(), ns1.name(), "fd77::1"}
                }) {
                    TcpTransfer.Result r = TcpTransfer.run(dir[0], dir[1], InetAddress.getByName(dir[2]), mb, 60);
                    assertThat(r.bytes()).as("bytes to %s", dir[2]).isEqualTo(mb);
                    assertThat(r.receivedSha256()).as("checksum to %s", dir[2]).isEqualTo(r.sentSha256());
                }

                PeerStats atA = a.peer(kb.publicKey()).orElseThrow();
                assertThat(atA.lastHandshake()).isAfter(Instant.now().minusSeconds(60));
                assertThat(atA.txBytes()).isGreaterThan(2 * mb);
                assertThat(atA.rxBytes()).isGreaterThan(2 * mb);
                assertThat(a.dropCount(DropReason.DECRYPT_FAILED) + b.dropCount(DropReason.DECRYPT_FAILED))
                        .isZero();

                // The stock wg tool sees the Java interface through its UAPI socket.
                String show = Cmd.run("wg", "show", ifA).stdout();
                assertThat(show)
                        .contains(
                                "interface: " + ifA,
                                "public key: " + ka.publicKey().toBase64(),
                                "listening port: " + a.listenPort(),
                                "peer: " + kb.publicKey().toBase64(),
                                "endpoint: 127.0.0.1:" + b.listenPort(),
                                "allowed ips: 10.77.0.2/32, fd77::2/128",
                                "latest handshake:",
                                "transfer:");
                long tx1 = Long.parseLong(
                        Cmd.run("wg", "show", ifA, "transfer").stdout().strip().split("\\s+", -1)[2]);
                ns1.exec("ping", "-c", "3", "-i", "0.2", "10.77.0.2");
                long tx2 = Long.parseLong(
                        Cmd.run("wg", "show", ifA, "transfer").stdout().strip().split("\\s+", -1)[2]);
                assertThat(tx2).isGreaterThan(tx1);
                String hs = Cmd.run("wg", "show", ifA, "latest-handshakes")
                        .stdout()
                        .strip()
                        .split("\\s+", -1)[1];
                assertThat(Long.parseLong(hs)).isGreaterThan(Instant.now().getEpochSecond() - 60);

                // Deleting the interface shuts the device down and removes its socket, as with wireguard-go.
                ns1.exec("ip", "link", "del", ifA);
                a.closed().get(10, TimeUnit.SECONDS);
                assertThat(Files.exists(ua.socketPath())).isFalse();
            }
        }
    }
}
