package io.nexodus.nexd.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.nexdctl.ConnectivityResult;
import io.nexodus.api.nexdctl.ExitNode;
import io.nexodus.api.nexdctl.IpFamily;
import io.nexodus.api.nexdctl.ListPeersResult;
import io.nexodus.api.nexdctl.NexdCtlClient;
import io.nexodus.api.nexdctl.NexdCtlServer;
import io.nexodus.api.nexdctl.NexdRpcException;
import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.api.nexdctl.ProxyDirection;
import io.nexodus.nexd.agent.AgentStatus;
import io.nexodus.nexd.agent.PeerView;
import io.nexodus.nexd.peering.PeerInfo;
import io.nexodus.nexd.peering.PeerPath;
import io.nexodus.nexd.peering.PeeringMethod;
import io.nexodus.nexd.proxy.UserspaceProxy;
import io.nexodus.nexd.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket end to end: the real server and client of the api module, our implementation behind them. */
class AgentControlTest {
    @TempDir
    Path tmp;

    private final PeerView direct = new PeerView(
            "KEYB",
            UUID.randomUUID(),
            "easy-b",
            List.of("100.64.0.2", "200::2"),
            PeeringMethod.REFLEXIVE,
            null,
            "198.51.100.12:5000",
            List.of("100.64.0.2/32", "200::2/128"),
            Instant.parse("2026-11-02T10:00:00.123Z"),
            2000,
            1000,
            true,
            PeerPath.State.UP,
            "",
            List.of("reflexive", "via-relay"),
            null,
            null);
    private final PeerView relayed = new PeerView(
            "KEYS",
            UUID.randomUUID(),
            "sym-a",
            List.of("100.64.0.3"),
            PeeringMethod.VIA_RELAY,
            PeerView.WIREGUARD_RELAY,
            "",
            List.of(),
            null,
            0,
            0,
            true,
            PeerPath.State.UP,
            "",
            List.of("via-relay"),
            null,
            null);

    private NexdCtlClient serve(AgentControl.AgentView view, AgentControl.Prober prober, String name) throws Exception {
        NexdCtlServer server = new NexdCtlServer(tmp.resolve(name), new AgentControl(view, prober)).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        return new NexdCtlClient(server.socket());
    }

    @Test
    void statusVersionTunnelIpAndPeersOverTheSocket() throws Exception {
        NexdCtlClient c = serve(
                AgentControl.view(
                        () -> AgentStatus.of(AgentStatus.RUNNING, "device d in VPC v"),
                        v6 -> Optional.of(v6 ? "200::1" : "100.64.0.1"),
                        () -> List.of(direct, relayed),
                        () -> true,
                        () -> true),
                a -> Optional.of(Duration.ofMillis(3)),
                "a.sock");
        assertThat(c.version()).isEqualTo(NexodusVersion.current());
        assertThat(c.status().state()).isEqualTo("Running");
        assertThat(c.status().message()).contains("VPC v");
        assertThat(c.tunnelIp(IpFamily.V4)).isEqualTo("100.64.0.1");
        assertThat(c.tunnelIp(IpFamily.V6)).isEqualTo("200::1");
        ListPeersResult r = c.listPeers();
        assertThat(r.relayPresent()).isTrue();
        assertThat(r.relayRequired()).isTrue();
        PeerStatus b = r.peers().get("KEYB");
        assertThat(b.method()).isEqualTo("reflexive");
        assertThat(b.relay()).isNull();
        assertThat(b.endpoint()).isEqualTo("198.51.100.12:5000");
        assertThat(b.latestHandshake()).isEqualTo("2026-11-02T10:00:00Z");
        assertThat(b.rx()).isEqualTo(2000);
        assertThat(b.tunnelIps()).containsExactly("100.64.0.2", "200::2");
        assertThat(b.pathNote()).as("no port prediction involved").isNull();
        PeerStatus s = r.peers().get("KEYS");
        assertThat(s.method()).isEqualTo("via-relay");
        assertThat(s.relay()).isEqualTo("wireguard-relay");
        assertThat(s.endpoint()).isEmpty();
        assertThat(s.latestHandshake()).isEmpty();
    }

    @Test
    void connectivityProbesEveryPeerOfTheFamily() throws Exception {
        NexdCtlClient c = serve(
                AgentControl.view(
                        () -> AgentStatus.of(AgentStatus.RUNNING, ""),
                        v6 -> Optional.empty(),
                        () -> List.of(direct, relayed),
                        () -> true,
                        () -> false),
                a -> a.equals("100.64.0.2") ? Optional.of(Duration.ofNanos(1_234_000)) : Optional.empty(),
                "b.sock");
        ConnectivityResult r = c.connectivity(IpFamily.V4);
        assertThat(r.peers()).containsOnlyKeys("100.64.0.2", "100.64.0.3");
        assertThat(r.peers().get("100.64.0.2").reachable()).isTrue();
        assertThat(r.peers().get("100.64.0.2").latency()).isEqualTo("1.23ms");
        assertThat(r.peers().get("100.64.0.3").reachable()).isFalse();
        assertThat(r.peers().get("100.64.0.3").latency()).isEqualTo("-");
        assertThat(r.peers().get("100.64.0.3").method()).isEqualTo("via-relay");
        assertThat(c.connectivity(IpFamily.V6).peers()).containsOnlyKeys("200::2");
    }

    @Test
    void beforeRegistrationThereIsNoTunnelIpAndTheStatusSaysWhy() throws Exception {
        NexdCtlClient c = serve(
                AgentControl.view(
                        () -> AgentStatus.of(AgentStatus.WAITING_FOR_AUTH, "open https://x"),
                        v6 -> Optional.empty(),
                        List::of,
                        () -> false,
                        () -> false),
                a -> Optional.empty(),
                "c.sock");
        assertThat(c.status().state()).isEqualTo("WaitingForAuth");
        assertThatThrownBy(() -> c.tunnelIp(IpFamily.V4))
                .isInstanceOf(NexdRpcException.class)
                .hasMessageContaining("no IPv4 tunnel address");
        assertThat(c.listPeers().peers()).isEmpty();
    }

    @Test
    void debugLoggingCanBeSwitched() throws Exception {
        NexdCtlClient c = serve(
                AgentControl.view(
                        () -> AgentStatus.of(AgentStatus.RUNNING, ""),
                        v6 -> Optional.empty(),
                        List::of,
                        () -> false,
                        () -> false),
                a -> Optional.empty(),
                "d.sock");
        c.setDebug(true);
        assertThat(c.debug()).isTrue();
        c.setDebug(false);
        assertThat(c.debug()).isFalse();
    }

    @Test
    void proxyRulesOverTheSocketOnAProxyAndAClearErrorElsewhere() throws Exception {
        AgentControl.AgentView view = AgentControl.view(
                () -> AgentStatus.of(AgentStatus.RUNNING, ""),
                v6 -> Optional.empty(),
                List::of,
                () -> false,
                () -> false);
        NexdCtlClient plain = serve(view, a -> Optional.empty(), "p.sock");
        assertThatThrownBy(plain::proxyList)
                .isInstanceOf(NexdRpcException.class)
                .hasMessageContaining("does not run in proxy mode");

        UserspaceProxy proxy =
                new UserspaceProxy(List.of(), new StateStore(tmp.resolve("state")), Duration.ofMinutes(1));
        NexdCtlServer server =
                new NexdCtlServer(tmp.resolve("q.sock"), new AgentControl(view, a -> Optional.empty(), proxy)).start();
        try {
            NexdCtlClient c = new NexdCtlClient(server.socket());
            assertThat(c.proxyAdd(ProxyDirection.INGRESS, "tcp:80:127.0.0.1:8080")
                            .strip())
                    .isEqualTo("Added ingress proxy rule: tcp:80:127.0.0.1:8080");
            assertThat(c.proxyList()).containsExactly("--ingress tcp:80:127.0.0.1:8080");
            assertThatThrownBy(() -> c.proxyAdd(ProxyDirection.EGRESS, "tcp:80:example.com:80"))
                    .isInstanceOf(NexdRpcException.class)
                    .hasMessageContaining("is not an IP address");
            assertThat(c.proxyRemove(ProxyDirection.INGRESS, "tcp:80:127.0.0.1:8080")
                            .strip())
                    .isEqualTo("Removed ingress proxy rule: tcp:80:127.0.0.1:8080");
            assertThat(c.proxyList()).isEmpty();
        } finally {
            server.close();
            proxy.close();
        }
    }

    @Test
    void exitNodesOverTheSocketAndAClearErrorWhereTheyCannotBeUsed() throws Exception {
        PeerView exitView = new PeerView(
                "KEYE",
                UUID.randomUUID(),
                "lan-a",
                List.of("100.64.0.7"),
                PeeringMethod.REFLEXIVE,
                null,
                "198.51.100.31:40001",
                List.of("100.64.0.7/32", "0.0.0.0/0"),
                null,
                0,
                0,
                true,
                PeerPath.State.UP,
                "",
                List.of("reflexive"),
                null,
                null);
        AgentControl.AgentView view = AgentControl.view(
                () -> AgentStatus.of(AgentStatus.RUNNING, ""),
                v6 -> Optional.empty(),
                () -> List.of(direct, exitView),
                () -> false,
                () -> false);
        PeerInfo exitNode = new PeerInfo(
                "KEYE",
                exitView.deviceId(),
                "lan-a",
                false,
                Optional.empty(),
                false,
                Optional.empty(),
                Optional.empty(),
                List.of("100.64.0.7"),
                List.of("100.64.0.7/32"),
                List.of("0.0.0.0/0"));
        List<Optional<String>> asked = new ArrayList<>();
        AgentControl.ExitNodes exits = new AgentControl.ExitNodes() {
            @Override
            public List<PeerInfo> list() {
                return List.of(exitNode);
            }

            @Override
            public String use(Optional<String> selector) {
                asked.add(selector);
                if (selector.map(s -> s.equals("nope")).orElse(false)) {
                    throw new IllegalArgumentException("no device nope in the VPC");
                }
                return selector.isPresent() ? "using exit node lan-a (KEYE)" : "exit node disabled; routing restored";
            }
        };
        NexdCtlServer server = new NexdCtlServer(
                        tmp.resolve("x.sock"), new AgentControl(view, a -> Optional.empty(), null, exits))
                .start();
        try {
            NexdCtlClient c = new NexdCtlClient(server.socket());
            assertThat(c.listExitNodes())
                    .containsExactly(new ExitNode("KEYE", "198.51.100.31:40001", List.of("0.0.0.0/0"), "lan-a", true));
            assertThat(c.enableExitNodeClient(" lan-a ").strip()).isEqualTo("using exit node lan-a (KEYE)");
            assertThat(c.enableExitNodeClient("").strip()).isEqualTo("using exit node lan-a (KEYE)");
            assertThatThrownBy(() -> c.enableExitNodeClient("nope"))
                    .isInstanceOf(NexdRpcException.class)
                    .hasMessageContaining("no device nope in the VPC");
            assertThat(c.disableExitNodeClient().strip()).isEqualTo("exit node disabled; routing restored");
            assertThat(asked)
                    .containsExactly(Optional.of("lan-a"), Optional.of(""), Optional.of("nope"), Optional.empty());
        } finally {
            server.close();
        }
        NexdCtlClient plain = serve(view, a -> Optional.empty(), "y.sock");
        assertThatThrownBy(plain::listExitNodes)
                .isInstanceOf(NexdRpcException.class)
                .hasMessageContaining("cannot use an exit node");
    }
}
