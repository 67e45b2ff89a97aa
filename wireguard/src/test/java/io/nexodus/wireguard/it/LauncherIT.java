package io.nexodus.wireguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.Netns;
import io.nexodus.testkit.RequiresNetns;
import io.nexodus.wireguard.device.Device;
import io.nexodus.wireguard.device.PeerConfig;
import io.nexodus.wireguard.uapi.UapiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/nexodus-wg} as wireguard-go's stand-in: {@code wg-quick up} with
 * {@code WG_QUICK_USERSPACE_IMPLEMENTATION} in a full-tunnel setup (AllowedIPs 0.0.0.0/0, which only works if the
 * fwmark really is applied with SO_MARK and reported), {@code wg-quick down}; and the daemon's exits: on SIGTERM and
 * when its socket file is deleted, each time removing the socket / interface.
 */
@RequiresNetns(commands = {"wg", "wg-quick", "ping"})
class LauncherIT {
    static final Path LAUNCHER =
            Path.of("..", "bin", "nexodus-wg").toAbsolutePath().normalize();

    private static List<String> envPrefix() {
        return List.of("env", "NEXODUS_WG_CLASSPATH=" + System.getProperty("java.class.path"));
    }

    @Test
    void wgQuickUpFullTunnelThenDown(@TempDir Path tmp) throws Exception {
        String ifQ = JavaTunnelIT.uniqueName("wq");
        String ifB = JavaTunnelIT.uniqueName("wqb");
        NodePrivateKey kq = NodePrivateKey.generate();
        NodePrivateKey kb = NodePrivateKey.generate();
        try (Netns nsA = Netns.create("wq-a");
                Netns nsB = Netns.create("wq-b")) {
            Netns.link(nsA, "veth-a", "192.0.2.1/24", nsB, "veth-b", "192.0.2.2/24");
            Device b = InNetns.call(
                    nsB.name(),
                    () -> Device.builder().interfaceName(ifB).privateKey(kb).build());
            try (b) {
                b.setPeer(PeerConfig.of(kq.publicKey(), null, "10.66.0.1/32"));
                nsB.sh("ip addr add 10.66.0.2/24 dev " + ifB + " && ip link set " + ifB + " up");
                Path conf = Files.writeString(tmp.resolve(ifQ + ".conf"), """
                        [Interface]
                        PrivateKey = %s
                        Address = 10.66.0.1/24

                        [Peer]
                        PublicKey = %s
                        Endpoint = 192.0.2.2:%d
                        AllowedIPs = 0.0.0.0/0
                        """.formatted(
                                kq.toBase64(), kb.publicKey().toBase64(), b.listenPort()));
                List<String> up = new ArrayList<>(envPrefix());
                up.addAll(List.of("WG_QUICK_USERSPACE_IMPLEMENTATION=" + LAUNCHER, "wg-quick", "up", conf.toString()));
                Cmd.Result r = nsA.tryExec(up.toArray(String[]::new));
                assertThat(r.ok())
                        .as("wg-quick up: %s %s", r.stdout(), r.stderr())
                        .isTrue();
                assertThat(r.stderr()).contains(LAUNCHER + " " + ifQ);

                assertThat(Cmd.run("wg", "show", ifQ, "fwmark").stdout().strip())
                        .isEqualTo("0xca6c");
                assertThat(nsA.exec("ip", "rule").stdout()).contains("not from all fwmark 0xca6c lookup 51820");
                // Everything, including 10.66.0.2, is routed into the tunnel; only marked UDP reaches the veth.
                assertThat(nsA.exec("ping", "-c", "2", "-W", "5", "10.66.0.2").stdout())
                        .contains("2 received");
                assertThat(Cmd.run("wg", "show", ifQ, "latest-handshakes").stdout())
                        .doesNotContain("\t0\n");

                List<String> down = new ArrayList<>(envPrefix());
                down.addAll(List.of("wg-quick", "down", conf.toString()));
                nsA.exec(down.toArray(String[]::new));
                Path sock = UapiServer.DEFAULT_DIRECTORY.resolve(ifQ + ".sock");
                await(() -> !Files.exists(sock), "socket removed after wg-quick down");
                await(() -> nsA.pids().isEmpty(), "daemon exited after wg-quick down");
            }
        }
    }

    @Test
    void daemonExitsOnSigtermAndWhenItsSocketIsDeleted() throws Exception {
        try (Netns ns = Netns.create("wq-c")) {
            for (String how : List.of("sigterm", "rm-socket")) {
                String ifname = JavaTunnelIT.uniqueName("wqc");
                Path sock = UapiServer.DEFAULT_DIRECTORY.resolve(ifname + ".sock");
                List<String> start = new ArrayList<>(envPrefix());
                start.addAll(List.of(LAUNCHER.toString(), ifname));
                Instant t0 = Instant.now();
                Cmd.Result r = ns.tryExec(start.toArray(String[]::new));
                assertThat(r.ok()).as("%s %s", r.stdout(), r.stderr()).isTrue();
                // The launcher returned only after the interface and socket existed.
                assertThat(Files.exists(sock)).isTrue();
                assertThat(ns.exec("ip", "link", "show", ifname).stdout()).contains(ifname);
                assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(30));
                List<Long> pids = ns.pids();
                assertThat(pids).hasSize(1);
                if (how.equals("sigterm")) {
                    Cmd.run("kill", "-TERM", String.valueOf(pids.getFirst()));
                } else {
                    Files.delete(sock);
                }
                await(() -> ns.pids().isEmpty(), how + ": daemon exited");
                assertThat(Files.exists(sock)).isFalse();
                assertThat(ns.tryExec("ip", "link", "show", ifname).ok()).isFalse();
            }
            // A bad name fails fast with the reason, and exit status 1.
            List<String> bad = new ArrayList<>(envPrefix());
            bad.addAll(List.of(LAUNCHER.toString(), "this-name-is-far-too-long"));
            Cmd.Result r = ns.tryExec(bad.toArray(String[]::new));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).contains("interface name must be 1-15 characters");
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }
}
