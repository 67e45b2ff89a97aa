package io.nexodus.stun;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.Netns;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mapping-behaviour detection through a real Linux NAT. Three namespaces: a client on 10.0.0.2 behind a NAT gateway
 * (10.0.0.1 / 203.0.113.1, nftables) and a public host 203.0.113.10 running our STUN server on ports 3478 and 3479.
 * {@code masquerade fully-random} (iptables: {@code MASQUERADE --random-fully}) picks a new source port per
 * connection, so the two servers see two mappings (symmetric); plain {@code masquerade} keeps the port, so they see
 * one. Server and detector run as child JVMs
 * inside the namespaces ({@link StunTool}).
 */
@RequiresNetns(commands = {"nft"})
class NatMappingNetnsIT {
    private static final String SERVERS = "203.0.113.10:3478 203.0.113.10:3479";

    @TempDir
    Path tmp;

    @Test
    void randomFullyMasqueradeIsSymmetricAndPlainMasqueradeIsNot() {
        try (Netns client = Netns.create("stcli");
                Netns nat = Netns.create("stnat");
                Netns pub = Netns.create("stpub")) {
            Netns.link(client, "c0", "10.0.0.2/24", nat, "n0", "10.0.0.1/24");
            Netns.link(nat, "n1", "203.0.113.1/24", pub, "p0", "203.0.113.10/24");
            client.exec("ip", "route", "add", "default", "via", "10.0.0.1");
            nat.sysctl("net.ipv4.ip_forward", "1");
            nat.exec("nft", "add", "table", "ip", "stunlab");
            nat.exec(
                    "nft",
                    "add",
                    "chain",
                    "ip",
                    "stunlab",
                    "post",
                    "{ type nat hook postrouting priority srcnat; policy accept; }");

            ChildProcess server =
                    pub.spawn(tmp.resolve("server.log"), java("serve", "203.0.113.10:3478", "203.0.113.10:3479"));
            server.awaitOutput("^listening", Duration.ofSeconds(20));

            nat.exec("nft", "add", "rule", "ip", "stunlab", "post", "oifname", "n1", "masquerade", "fully-random");
            String symmetric = detect(client, "10.0.0.2:40000");
            assertThat(symmetric).contains("behaviour=ENDPOINT_DEPENDENT", "symmetric=true", "reflexive=203.0.113.1:");

            nat.exec("nft", "flush", "chain", "ip", "stunlab", "post");
            nat.exec("nft", "add", "rule", "ip", "stunlab", "post", "oifname", "n1", "masquerade");
            String easy = detect(client, "10.0.0.2:40001");
            assertThat(easy)
                    .contains("behaviour=ENDPOINT_INDEPENDENT", "symmetric=false", "reflexive=203.0.113.1:40001");
        }
    }

    private String detect(Netns ns, String bind) {
        List<String> argv = new ArrayList<>(java("detect", "--bind", bind, "--timeout-ms", "4000"));
        argv.addAll(List.of(SERVERS.split(" ")));
        Cmd.Result r = Cmd.tryRun(Duration.ofSeconds(30), ns.wrap(argv));
        assertThat(r.exitCode()).as("detect: %s%n%s", r.stdout(), r.stderr()).isZero();
        return r.stdout();
    }

    private static List<String> java(String... args) {
        List<String> argv = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                StunTool.class.getName()));
        argv.addAll(List.of(args));
        return argv;
    }
}
