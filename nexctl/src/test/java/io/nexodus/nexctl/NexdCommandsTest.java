package io.nexodus.nexctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.Json;
import io.nexodus.api.nexdctl.ConnectivityResult;
import io.nexodus.api.nexdctl.ExitNode;
import io.nexodus.api.nexdctl.IpFamily;
import io.nexodus.api.nexdctl.ListPeersResult;
import io.nexodus.api.nexdctl.NexdCtl;
import io.nexodus.api.nexdctl.NexdCtlServer;
import io.nexodus.api.nexdctl.NexdStatus;
import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.api.nexdctl.PeerReachability;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.api.nexdctl.PeeringMethod;
import io.nexodus.api.nexdctl.ProxyDirection;
import io.nexodus.api.nexdctl.RelayKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nexctl nexd ...} against a control-socket server answering for a scripted agent. */
class NexdCommandsTest {
    static final Instant NOW = Instant.parse("2026-11-02T10:00:00Z");

    @TempDir
    Path home;

    Path socket;
    NexctlRunner nexctl;
    NexdCtlServer server;
    final Agent agent = new Agent();

    /** A scripted agent. */
    static final class Agent implements NexdCtl {
        volatile String version = NexodusVersion.current();
        volatile boolean relayRequired = true;
        volatile boolean relayPresent = true;
        volatile boolean debug;
        final List<String> rules = new ArrayList<>();

        @Override
        public String version() {
            return version;
        }

        @Override
        public NexdStatus status() {
            return new NexdStatus(NexdStatus.RUNNING, "device lab-a in VPC 1111");
        }

        @Override
        public String tunnelIp(IpFamily f) {
            if (f == IpFamily.V6) {
                throw new IllegalStateException("no IPv6 tunnel address: IPv6 is disabled on this host");
            }
            return "100.64.0.1";
        }

        @Override
        public ListPeersResult listPeers() {
            return new ListPeersResult(
                    relayPresent,
                    relayRequired,
                    Map.of(
                            "pkC=",
                                    new PeerStatus(
                                            "pkC=",
                                            "127.0.0.2:900",
                                            List.of("100.64.0.3/32", "200::3/128"),
                                            "2026-11-02T09:59:50Z",
                                            1000,
                                            2000,
                                            true,
                                            "lab-c",
                                            List.of("100.64.0.3", "200::3"),
                                            PeeringMethod.VIA_DERP_RELAY,
                                            RelayKind.PUBLIC_DERP,
                                            "public:900",
                                            null),
                            "pkB=",
                                    new PeerStatus(
                                            "pkB=",
                                            "198.51.100.7:40001",
                                            List.of("100.64.0.2/32", "200::2/128"),
                                            "2026-11-02T09:59:00Z",
                                            10,
                                            20,
                                            true,
                                            "lab-b",
                                            List.of("100.64.0.2", "200::2"),
                                            PeeringMethod.REFLEXIVE,
                                            null,
                                            null,
                                            null),
                            "pkD=",
                                    new PeerStatus(
                                            "pkD=",
                                            "",
                                            List.of("100.64.0.4/32"),
                                            "",
                                            0,
                                            0,
                                            false,
                                            "lab-d",
                                            List.of("100.64.0.4"),
                                            PeeringMethod.VIA_RELAY,
                                            RelayKind.WIREGUARD_RELAY,
                                            "hub-1",
                                            null)));
        }

        @Override
        public ConnectivityResult connectivity(IpFamily f) {
            return new ConnectivityResult(
                    relayPresent,
                    relayRequired,
                    Map.of(
                            "100.64.0.3",
                                    new PeerReachability(
                                            "100.64.0.3", false, "lab-c", "-", PeeringMethod.VIA_DERP_RELAY),
                            "100.64.0.2",
                                    new PeerReachability(
                                            "100.64.0.2", true, "lab-b", "1.23ms", PeeringMethod.REFLEXIVE)));
        }

        @Override
        public boolean debug() {
            return debug;
        }

        @Override
        public void setDebug(boolean on) {
            debug = on;
        }

        @Override
        public List<String> proxyList() {
            return List.copyOf(rules);
        }

        @Override
        public String proxyAdd(ProxyDirection d, String rule) {
            if (!rule.matches("(tcp|udp):\\d+:[^:]+:\\d+")) {
                throw new IllegalArgumentException("invalid rule: " + rule);
            }
            rules.add(d.flag() + " " + rule);
            return "Added " + d.name().toLowerCase(Locale.ROOT) + " proxy rule: " + rule;
        }

        @Override
        public String proxyRemove(ProxyDirection d, String rule) {
            if (!rules.remove(d.flag() + " " + rule)) {
                throw new IllegalArgumentException("no such rule: " + rule);
            }
            return "Removed " + d.name().toLowerCase(Locale.ROOT) + " proxy rule: " + rule;
        }

        @Override
        public List<ExitNode> listExitNodes() {
            return List.of(new ExitNode("pkE=", "203.0.113.9:51820", List.of("0.0.0.0/0"), "exit-1", true));
        }

        @Override
        public String enableExitNodeClient(String device) {
            if (device.equals("nope")) {
                throw new IllegalArgumentException("no device nope in the VPC");
            }
            return "using exit node " + (device.isEmpty() ? "exit-1" : device);
        }
    }

    @BeforeEach
    void start() throws Exception {
        socket = home.resolve(".nexodus").resolve("nexd.sock");
        server = new NexdCtlServer(socket, agent).start();
        nexctl = new NexctlRunner(home).clock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private NexctlRunner.Result ok(String... args) {
        NexctlRunner.Result r = nexctl.run(args);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }

    @Test
    void theDefaultSocketOfANonRootUserIsInHome() {
        assertThat(ok("nexd", "version").out())
                .isEqualTo("nexctl version: " + NexodusVersion.current() + "\nnexd version: " + NexodusVersion.current()
                        + "\n");
        NexctlRunner.Result r = nexctl.root(true).run("nexd", "status");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).startsWith("error: no nexd control socket at /var/run/nexd.sock\nIs nexd running?");
    }

    @Test
    void socketFromFlagOrEnvironment() throws Exception {
        Path other = home.resolve("elsewhere.sock");
        try (NexdCtlServer _ = new NexdCtlServer(other, agent).start()) {
            server.close();
            assertThat(ok("nexd", "--unix-socket", other.toString(), "status").out())
                    .startsWith("Status: Running");
            assertThat(ok("nexd", "status", "--unix-socket", other.toString()).out())
                    .startsWith("Status: Running");
            assertThat(nexctl.env("NEXCTL_UNIX_SOCKET", other.toString())
                            .run("nexd", "status")
                            .exitCode())
                    .isZero();
        }
    }

    @Test
    void refusesANexdOfAnotherVersion() {
        agent.version = "9.9.9";
        NexctlRunner.Result r = nexctl.run("nexd", "peers", "list");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err())
                .isEqualTo("error: version mismatch: nexctl " + NexodusVersion.current()
                        + ", nexd 9.9.9 (use the nexctl that came with this nexd)\n");
        assertThat(r.out()).isEmpty();
        assertThat(ok("nexd", "version").out()).contains("nexd version: 9.9.9"); // version itself still answers
    }

    @Test
    void statusTunnelIpAndDebug() throws Exception {
        assertThat(ok("nexd", "status").out()).isEqualTo("Status: Running\ndevice lab-a in VPC 1111\n");
        assertThat(Json.mapper().readTree(ok("nexd", "status", "-o", "json").out()))
                .isEqualTo(Json.mapper().readTree("{\"status\":\"Running\",\"message\":\"device lab-a in VPC 1111\"}"));
        assertThat(ok("nexd", "get", "tunnelip").out()).isEqualTo("100.64.0.1\n");
        NexctlRunner.Result r = nexctl.run("nexd", "get", "tunnelip", "-6");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).isEqualTo("error: nexd: no IPv6 tunnel address: IPv6 is disabled on this host\n");

        assertThat(ok("nexd", "get", "debug").out()).isEqualTo("off\n");
        assertThat(ok("nexd", "set", "debug", "on").out()).isEqualTo("debug logging on\n");
        assertThat(agent.debug).isTrue();
        assertThat(ok("nexd", "get", "debug", "-o", "json-raw").out()).isEqualTo("{\"debug\":true}\n");
        r = nexctl.run("nexd", "set", "debug", "maybe");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("expected on or off");
    }

    @Test
    void peersListShowsHowEachPeerIsReached() throws Exception {
        NexctlRunner.Result r = ok("nexd", "peers", "list");
        assertThat(r.out().lines().map(l -> List.of(l.split(" {2,}"))).toList())
                .containsExactly(
                        List.of("PUBLIC KEY", "HOSTNAME", "ALLOWED IPS", "METHOD", "VIA", "HEALTHY"),
                        List.of("pkB=", "lab-b", "100.64.0.2/32, 200::2/128", "reflexive", "true"),
                        List.of("pkC=", "lab-c", "100.64.0.3/32, 200::3/128", "via-derp-relay", "public:900", "true"),
                        List.of("pkD=", "lab-d", "100.64.0.4/32", "via-relay", "hub-1", "false"));
        assertThat(r.err()).isEmpty();

        r = ok("nexd", "peers", "list", "--full", "-o", "no-header");
        assertThat(r.out().lines().map(l -> List.of(l.split(" {5,}"))).toList())
                .containsExactly(
                        List.of(
                                "pkB=",
                                "lab-b",
                                "100.64.0.2, 200::2",
                                "198.51.100.7:40001",
                                "100.64.0.2/32, 200::2/128",
                                "reflexive",
                                "60 seconds ago",
                                "10",
                                "20",
                                "true"),
                        List.of(
                                "pkC=",
                                "lab-c",
                                "100.64.0.3, 200::3",
                                "127.0.0.2:900",
                                "100.64.0.3/32, 200::3/128",
                                "via-derp-relay",
                                "public-derp",
                                "public:900",
                                "10 seconds ago",
                                "1000",
                                "2000",
                                "true"),
                        List.of(
                                "pkD=",
                                "lab-d",
                                "100.64.0.4",
                                "100.64.0.4/32",
                                "via-relay",
                                "wireguard-relay",
                                "hub-1",
                                "None",
                                "0",
                                "0",
                                "false"));

        // what the NAT-lab tests read
        JsonNode j =
                Json.mapper().readTree(ok("nexd", "peers", "list", "-o", "json").out());
        assertThat(j.get("relay-present").asBoolean()).isTrue();
        assertThat(j.get("peers").get("pkC=").get("method").asText()).isEqualTo("via-derp-relay");
        assertThat(j.get("peers").get("pkC=").get("relay").asText()).isEqualTo("public-derp");
        assertThat(j.get("peers").get("pkC=").get("relay_name").asText()).isEqualTo("public:900");
        assertThat(j.get("peers").get("pkB=").get("relay").isNull()).isTrue();
        assertThat(j.get("peers").get("pkB=").get("hostname").asText()).isEqualTo("lab-b");
        assertThat(j.get("peers").get("pkB=").get("tunnel_ips").get(0).asText()).isEqualTo("100.64.0.2");
        assertThat(j.get("peers").get("pkB=").get("Healthy").asBoolean()).isTrue();
        assertThat(j.get("peers").get("pkB=").get("Endpoint").asText()).isEqualTo("198.51.100.7:40001");
        assertThat(ok("nexd", "peers", "list", "-o", "yaml").out()).contains("method: via-derp-relay");

        agent.relayPresent = false;
        r = ok("nexd", "peers", "list");
        assertThat(r.err()).startsWith("WARNING: a relay is required but none is present");
    }

    @Test
    void pingReportsReachability() throws Exception {
        NexctlRunner.Result r = ok("nexd", "peers", "ping");
        assertThat(r.out().lines().map(l -> List.of(l.split(" {2,}"))).toList())
                .containsExactly(
                        List.of("HOSTNAME", "WIREGUARD ADDRESS", "LATENCY", "PEERING METHOD", "CONNECTION STATUS"),
                        List.of("lab-b", "100.64.0.2", "1.23ms", "reflexive", "✓ Reachable"),
                        List.of("lab-c", "100.64.0.3", "-", "via-derp-relay", "x Unreachable"));
        JsonNode j = Json.mapper()
                .readTree(ok("nexd", "peers", "ping6", "-o", "json").out());
        assertThat(j.get("peers").get("100.64.0.2").get("Latency").asText()).isEqualTo("1.23ms");
        assertThat(j.get("peers").get("100.64.0.2").get("is_reachable").asBoolean())
                .isTrue();
    }

    @Test
    void proxyRulesAndPartialFailures() {
        assertThat(ok("nexd", "proxy", "add", "--ingress", "tcp:80:127.0.0.1:8080", "--egress", "udp:53:100.64.0.2:53")
                        .out())
                .isEqualTo(
                        "Added ingress proxy rule: tcp:80:127.0.0.1:8080\nAdded egress proxy rule: udp:53:100.64.0.2:53\n");
        assertThat(ok("nexd", "proxy", "list").out())
                .isEqualTo("--ingress tcp:80:127.0.0.1:8080\n--egress udp:53:100.64.0.2:53\n");
        NexctlRunner.Result r =
                nexctl.run("nexd", "proxy", "remove", "--ingress", "tcp:80:127.0.0.1:8080", "--ingress", "tcp:1:x:1");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.out()).isEqualTo("Removed ingress proxy rule: tcp:80:127.0.0.1:8080\n");
        assertThat(r.err()).isEqualTo("error: removing ingress rule tcp:1:x:1: no such rule: tcp:1:x:1\n");
        r = nexctl.run("nexd", "proxy", "add");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(ok("nexd", "proxy", "list", "-o", "json").out()).isEqualTo("""
                [
                    "--egress udp:53:100.64.0.2:53"
                ]
                """);
    }

    @Test
    void exitNodes() {
        assertThat(ok("nexd", "exit-node", "list")
                        .out()
                        .lines()
                        .map(l -> List.of(l.split(" {2,}")))
                        .toList())
                .containsExactly(
                        List.of("HOSTNAME", "ENDPOINT ADDRESS", "PUBLIC KEY", "IN USE"),
                        List.of("exit-1", "203.0.113.9:51820", "pkE=", "yes"));
        assertThat(ok("nexd", "exit-node", "enable").out()).isEqualTo("using exit node exit-1\n");
        assertThat(ok("nexd", "exit-node", "enable", "exit-2").out()).isEqualTo("using exit node exit-2\n");
        NexctlRunner.Result bad = nexctl.run("nexd", "exit-node", "enable", "nope");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(bad.err()).isEqualTo("error: nexd: no device nope in the VPC\n");
        NexctlRunner.Result r = nexctl.run("nexd", "exit-node", "disable", "--client");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).isEqualTo("error: nexd: this nexd cannot use an exit node\n");
    }

    @Test
    void staleSocketMeansNexdIsNotRunning() {
        server.close();
        NexctlRunner.Result r = nexctl.run("nexd", "status");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).startsWith("error: no nexd control socket at " + socket);
    }
}
