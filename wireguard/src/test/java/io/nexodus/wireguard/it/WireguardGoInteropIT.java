package io.nexodus.wireguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.Netns;
import io.nexodus.testkit.RequiresNetns;
import io.nexodus.wireguard.bind.UdpEndpoint;
import io.nexodus.wireguard.device.Device;
import io.nexodus.wireguard.device.Timings;
import io.nexodus.wireguard.uapi.UapiServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java ↔ Debian wireguard-go (0.0.20220316), both configured only with the stock {@code wg} tool. Both daemons are
 * born in ns0 (UDP on its loopback); the Java interface moves to ns1, wireguard-go's to ns2. Phases: wireguard-go
 * initiates (IPv4 TCP both ways with SHA-256); peers removed and re-added; Java initiates (IPv6 TCP both ways); the
 * Java side rekeys by time (its REKEY_AFTER_TIME is shortened to 4 s) and traffic keeps flowing; then each side roams
 * to a new UDP port and the other follows.
 */
@RequiresNetns(commands = {"wg", "wireguard-go", "ping"})
class WireguardGoInteropIT {
    private static final long MB = 1L << 20;

    @Test
    void interoperatesWithWireguardGo(@TempDir Path tmp) throws Exception {
        String ifJ = JavaTunnelIT.uniqueName("wji");
        String ifG = JavaTunnelIT.uniqueName("wgo");
        NodePrivateKey kJ = NodePrivateKey.generate();
        NodePrivateKey kG = NodePrivateKey.generate();
        Path keyJ = Files.writeString(tmp.resolve("j.key"), kJ.toBase64());
        Path keyG = Files.writeString(tmp.resolve("g.key"), kG.toBase64());
        Timings fastRekey = Timings.parse("rekeyAfterTime=4s");
        try (Netns ns0 = Netns.create("go0");
                Netns ns1 = Netns.create("go1");
                Netns ns2 = Netns.create("go2")) {
            Device j = InNetns.call(
                    ns0.name(),
                    () -> Device.builder().interfaceName(ifJ).timings(fastRekey).build());
            ChildProcess g = ns0.spawn(
                    tmp.resolve("wireguard-go.log"), Map.of("LOG_LEVEL", "debug"), List.of("wireguard-go", "-f", ifG));
            Path sockG = UapiServer.DEFAULT_DIRECTORY.resolve(ifG + ".sock");
            try (j;
                    g;
                    UapiServer _ = UapiServer.start(j)) {
                awaitFile(sockG, g);
                ns0.exec("ip", "link", "set", ifJ, "netns", ns1.name());
                ns0.exec("ip", "link", "set", ifG, "netns", ns2.name());
                ns1.sh("ip addr add 10.88.0.1/24 dev " + ifJ + " && ip -6 addr add fd88::1/64 dev " + ifJ
                        + " nodad && ip link set " + ifJ + " up");
                ns2.sh("ip addr add 10.88.0.2/24 dev " + ifG + " && ip -6 addr add fd88::2/64 dev " + ifG
                        + " nodad && ip link set " + ifG + " up");

                Cmd.run("wg", "set", ifJ, "private-key", keyJ.toString(), "listen-port", "0");
                Cmd.run("wg", "set", ifG, "private-key", keyG.toString(), "listen-port", "0");
                int portJ = port(ifJ);
                int portG = port(ifG);
                String allowJ = "10.88.0.1/32,fd88::1/128";
                String allowG = "10.88.0.2/32,fd88::2/128";
                Cmd.run(
                        "wg",
                        "set",
                        ifJ,
                        "peer",
                        kG.publicKey().toBase64(),
                        "allowed-ips",
                        allowG,
                        "endpoint",
                        "127.0.0.1:" + portG);
                Cmd.run(
                        "wg",
                        "set",
                        ifG,
                        "peer",
                        kJ.publicKey().toBase64(),
                        "allowed-ips",
                        allowJ,
                        "endpoint",
                        "127.0.0.1:" + portJ);

                // Phase 1: wireguard-go sends first, so it initiates.
                assertThat(ns2.exec("ping", "-c", "1", "-W", "5", "10.88.0.1").stdout())
                        .contains("1 received");
                g.awaitOutput("Received handshake response", Duration.ofSeconds(5));
                transferBothWays(ns1, ns2, "10.88.0.1", "10.88.0.2");
                assertThat(j.peer(kG.publicKey()).orElseThrow().lastHandshake()).isNotNull();

                // Peer removal on both sides: the tunnel stops.
                Cmd.run("wg", "set", ifJ, "peer", kG.publicKey().toBase64(), "remove");
                Cmd.run("wg", "set", ifG, "peer", kJ.publicKey().toBase64(), "remove");
                assertThat(Cmd.run("wg", "show", ifJ, "peers").stdout()).isBlank();
                assertThat(j.peers()).isEmpty();
                assertThat(ns1.tryExec("ping", "-c", "1", "-W", "1", "10.88.0.2")
                                .ok())
                        .isFalse();

                // Phase 2: re-added; Java sends first, so Java initiates.
                Cmd.run("wg", "set", ifG, "peer", kJ.publicKey().toBase64(), "allowed-ips", allowJ);
                Cmd.run(
                        "wg",
                        "set",
                        ifJ,
                        "peer",
                        kG.publicKey().toBase64(),
                        "allowed-ips",
                        allowG,
                        "endpoint",
                        "127.0.0.1:" + portG);
                int initiationsBefore = count(g.output(), "Received handshake initiation");
                assertThat(ns1.exec("ping", "-c", "1", "-W", "5", "fd88::2").stdout())
                        .contains("1 received");
                assertThat(count(g.output(), "Received handshake initiation")).isEqualTo(initiationsBefore + 1);
                transferBothWays(ns1, ns2, "fd88::1", "fd88::2");

                // Rekey: Java initiated this session and rekeys after 4 s of sending.
                long firstHandshake = latestHandshake(ifG);
                ns1.exec("ping", "-c", "28", "-i", "0.2", "-W", "2", "10.88.0.2");
                assertThat(count(g.output(), "Received handshake initiation")).isGreaterThan(initiationsBefore + 1);
                assertThat(latestHandshake(ifG)).isGreaterThan(firstHandshake);
                TcpTransfer.Result r =
                        TcpTransfer.run(ns1.name(), ns2.name(), InetAddress.getByName("10.88.0.2"), 2 * MB, 60);
                assertThat(r.receivedSha256()).isEqualTo(r.sentSha256());

                // Roaming: Java moves to a new port; wireguard-go follows the authenticated source.
                Cmd.run("wg", "set", ifJ, "listen-port", "0");
                int newPortJ = port(ifJ);
                assertThat(newPortJ).isNotEqualTo(portJ);
                ns1.exec("ping", "-c", "2", "-W", "5", "10.88.0.2");
                assertThat(Cmd.run("wg", "show", ifG, "endpoints").stdout()).contains("127.0.0.1:" + newPortJ);
                // And the other way: wireguard-go moves; Java follows.
                int newPortG = FreeUdpPort.in(ns0);
                Cmd.run("wg", "set", ifG, "listen-port", String.valueOf(newPortG));
                ns2.exec("ping", "-c", "2", "-W", "5", "10.88.0.1");
                assertThat(j.peer(kG.publicKey()).orElseThrow().endpoint())
                        .isEqualTo(UdpEndpoint.parse("127.0.0.1:" + newPortG));
                assertThat(Cmd.run("wg", "show", ifJ, "endpoints").stdout()).contains("127.0.0.1:" + newPortG);
            } catch (AssertionError | RuntimeException e) {
                System.err.println("wireguard-go log:\n" + g.output());
                throw e;
            }
            assertThat(Files.exists(sockG))
                    .as("wireguard-go removes its socket on SIGTERM")
                    .isFalse();
        }
    }

    private static void transferBothWays(Netns ns1, Netns ns2, String addr1, String addr2) throws Exception {
        for (String[] dir : new String[][] {{ns1.name(), ns2.name(), addr2}, {ns2.name(), ns1.name(), addr1}}) {
            TcpTransfer.Result r = TcpTransfer.run(dir[0], dir[1], InetAddress.getByName(dir[2]), 8 * MB, 60);
            assertThat(r.bytes()).isEqualTo(8 * MB);
            assertThat(r.receivedSha256()).as("SHA-256 of 8 MiB to %s", dir[2]).isEqualTo(r.sentSha256());
        }
    }

    static int port(String iface) {
        return Integer.parseInt(
                Cmd.run("wg", "show", iface, "listen-port").stdout().strip());
    }

    static long latestHandshake(String iface) {
        String[] f = Cmd.run("wg", "show", iface, "latest-handshakes")
                .stdout()
                .strip()
                .split("\\s+", -1);
        return Long.parseLong(f[1]);
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static void awaitFile(Path p, ChildProcess owner) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (!Files.exists(p)) {
            if (!owner.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(p + " did not appear; log:\n" + owner.output());
            }
            Thread.sleep(20);
        }
    }

    /** A UDP port free in a namespace (bound and released there). */
    static final class FreeUdpPort {
        static int in(Netns ns) throws Exception {
            return InNetns.call(ns.name(), () -> {
                try (DatagramSocket s = new DatagramSocket(0)) {
                    return s.getLocalPort();
                }
            });
        }
    }
}
