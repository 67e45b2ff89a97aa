package io.nexodus.e2e.scenario;

import static io.nexodus.e2e.lab.StandardLab.*;
import static io.nexodus.e2e.scenario.ScenarioLab.MIB;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitRunning;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.Device;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.api.nexdctl.PeeringMethod;
import io.nexodus.api.nexdctl.RelayKind;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.TransferResult;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Subnet routers ({@code nexd router}) on the standard NAT lab: {@code lan-a} (behind the easy NAT {@code shared})
 * advertises its LAN 192.168.31.0/24 and forwards to it; {@code lan-b} on the same LAN runs no nexd at all, only a
 * checksumming TCP sink. Peers behind other NATs send 1 MiB to {@code lan-b}'s LAN address through the mesh: directly
 * (hole-punched, with source NAT on the router), through the service's public DERP relay (without NAT: {@code lan-b}
 * gets a route back to the VPC via the router; the router on wireguard-go), and through the VPC's WireGuard relay.
 * One lab and one service for the class; each scenario has its own VPC and agents.
 */
@RequiresNetns(commands = {"nft", "conntrack", "unshare", "wg", "ping"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterScenariosIT {
    private static final Path LOGS = Path.of("target", "natlab", RouterScenariosIT.class.getSimpleName());
    private static final String LAN = "192.168.31.0/24";
    private static final String[] FAST = {"--peer-up-timeout", "4s", "--peer-down-timeout", "4s", "--keepalive", "1s"};
    private static final Pattern MASQUERADED = Pattern.compile("counter packets (\\d+) bytes \\d+ masquerade");
    private static final Pattern FORWARDED =
            Pattern.compile("ip daddr 192\\.168\\.31\\.0/24 counter packets \\d+ bytes (\\d+) accept");
    private static ScenarioLab env;
    private static NatLab lab;
    private static LabService service;

    @BeforeAll
    static void startLabAndService() {
        env = ScenarioLab.start(LOGS, 7400);
        lab = env.lab;
        service = env.service;
    }

    @AfterEach
    void stopAgents() {
        env.reset();
    }

    @AfterAll
    static void closeAll() {
        if (env != null) {
            env.close();
        }
    }

    private static LabAgent router(String rk, String... routerFlags) {
        String[] args = new String[FAST.length + 1 + routerFlags.length];
        System.arraycopy(FAST, 0, args, 0, FAST.length);
        args[FAST.length] = "router";
        System.arraycopy(routerFlags, 0, args, FAST.length + 1, routerFlags.length);
        return env.agent(LAN_A, rk, args);
    }

    /** 1 MiB with checksum from {@code from}'s host to the sink on {@code lan-b}, which runs no nexd. */
    private static void assertTransferToLanHost(LabAgent from, int port) {
        LabHost lanB = lab.host(LAN_B);
        TransferResult r = from.host().transfer(lanB.address(), port, MIB, Duration.ofSeconds(30));
        assertThat(r.ok())
                .as(from + " -> " + LAN_B + " " + lanB.address() + ": " + r.output())
                .isTrue();
    }

    private static long counter(Pattern p, String ruleset) {
        Matcher m = p.matcher(ruleset);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String routerTable() {
        return lab.host(LAN_A)
                .exec("nft", "list", "table", "inet", "nexodus-router")
                .stdout();
    }

    /**
     * Easy NAT to easy NAT, hole-punched: a host behind {@code easy1} reaches {@code lan-b} through the router, which
     * masquerades, so {@code lan-b} needs nothing. The router's status names its networks, the peer routes the LAN via
     * its tunnel, and stopping the router removes its table and puts IP forwarding back.
     */
    @Test
    @Order(1)
    void aPeerBehindAnotherNatReachesAHostOnTheRoutersLanDirectly() {
        String rk = env.newVpc("r1");
        LabHost lanB = lab.host(LAN_B);
        int port = 7400;
        ChildProcess sink = lanB.startTransferServer(port);
        LabAgent r = router(rk, "--advertise-cidr", LAN, "--network-router");
        LabAgent peer = env.agent(EASY_A, rk, FAST);
        awaitRunning(r, peer);
        awaitTrue(Duration.ofSeconds(30), peer + " reaches the router directly", () -> {
            PeerStatus s = peer.peer(r).orElse(null);
            return s != null
                    && PeeringMethod.REFLEXIVE.equals(s.method())
                    && s.healthy()
                    && s.allowedIps().contains(LAN);
        });
        Device d = service.admin().devices().list(ListOptions.NONE).items().stream()
                .filter(x -> x.publicKey().equals(r.publicKey()))
                .findFirst()
                .orElseThrow();
        assertThat(d.advertiseCidrs()).containsExactly(LAN);
        assertThat(r.ctl().status().message())
                .contains("subnet router: advertising " + LAN + " (forwarding, source NAT");
        assertThat(peer.host().exec("ip", "route", "show", LAN).stdout()).contains("dev " + peer.interfaceName());
        assertThat(lab.host(LAN_A)
                        .exec("sysctl", "-n", "net.ipv4.ip_forward")
                        .stdout()
                        .strip())
                .isEqualTo("1");

        assertTransferToLanHost(peer, port);
        // lan-b saw the router's LAN address: source NAT
        sink.awaitOutput("from /" + Pattern.quote(lab.host(LAN_A).address() + ":"), Duration.ofSeconds(5));
        String table = routerTable();
        assertThat(counter(MASQUERADED, table)).as(table).isPositive();
        assertThat(counter(FORWARDED, table)).as(table).isGreaterThan(MIB); // the 1 MiB went through the router

        r.close();
        awaitTrue(
                Duration.ofSeconds(15),
                "the router's nftables table is gone after it stopped",
                () -> lab.host(LAN_A)
                                .tryExec(Duration.ofSeconds(5), "nft", "list", "table", "inet", "nexodus-router")
                                .exitCode()
                        != 0);
        assertThat(lab.host(LAN_A)
                        .exec("sysctl", "-n", "net.ipv4.ip_forward")
                        .stdout()
                        .strip())
                .isEqualTo("0");
    }

    /**
     * Symmetric NAT on the peer's side and no WireGuard relay: the public DERP relay carries the tunnel. The router runs
     * wireguard-go and does not NAT: {@code lan-b} has a route to the VPC's prefix via the router (what --disable-nat
     * asks of a LAN), and sees the peer's tunnel address.
     */
    @Test
    @Order(2)
    void throughTheDerpRelayWithoutNatTheLanHostNeedsARouteBack() {
        String rk = env.newVpc("r2");
        LabHost lanB = lab.host(LAN_B);
        int port = 7401;
        ChildProcess sink = lanB.startTransferServer(port);
        lanB.exec("ip", "route", "add", "100.64.0.0/10", "via", lab.host(LAN_A).address());
        try {
            LabAgent r = env.start(LabAgent.on(lab.host(LAN_A), service, rk)
                    .env("NEXD_USE_WIREGUARD_GO", "1")
                    .args(FAST)
                    .args("router", "--advertise-cidr", LAN, "--network-router", "--disable-nat"));
            LabAgent peer = env.agent(SYM_A, rk, FAST);
            awaitRunning(r, peer);
            awaitTrue(Duration.ofSeconds(45), peer + " reaches the router through the public DERP relay", () -> {
                PeerStatus s = peer.peer(r).orElse(null);
                return s != null
                        && PeeringMethod.VIA_DERP_RELAY.equals(s.method())
                        && RelayKind.PUBLIC_DERP.equals(s.relay())
                        && s.healthy()
                        && s.allowedIps().contains(LAN);
            });
            assertTransferToLanHost(peer, port);
            String table = routerTable();
            assertThat(table).doesNotContain("masquerade");
            assertThat(counter(FORWARDED, table)).as(table).isGreaterThan(MIB);
            // lan-b talked to the peer's tunnel address itself
            sink.awaitOutput("from /" + Pattern.quote(peer.tunnelIp() + ":"), Duration.ofSeconds(5));
            assertThat(r.process().output()).contains("UAPI WireGuard process");
        } finally {
            lanB.tryExec(Duration.ofSeconds(5), "ip", "route", "del", "100.64.0.0/10");
        }
    }

    /**
     * The peer behind symmetric NAT reaches the router through the VPC's WireGuard relay: the relay's entry carries the
     * router's network on the peer, the relay forwards to the router, the router masquerades onto its LAN.
     */
    @Test
    @Order(3)
    void throughTheWireGuardRelay() {
        String rk = env.newVpc("r3");
        LabHost lanB = lab.host(LAN_B);
        int port = 7402;
        lanB.startTransferServer(port);
        LabAgent hub =
                env.start(LabAgent.on(lab.host(RELAY), service, rk).relay().args(FAST));
        awaitRunning(hub);
        LabAgent r = router(rk, "--advertise-cidr", LAN, "--network-router");
        LabAgent peer = env.agent(SYM_B, rk, FAST);
        awaitRunning(r, peer);
        awaitTrue(Duration.ofSeconds(45), peer + " reaches the router through the WireGuard relay", () -> {
            PeerStatus s = peer.peer(r).orElse(null);
            PeerStatus h = peer.peer(hub).orElse(null);
            return s != null
                    && PeeringMethod.VIA_RELAY.equals(s.method())
                    && s.healthy()
                    && h != null
                    && h.healthy()
                    && h.allowedIps().contains(LAN);
        });
        assertTransferToLanHost(peer, port);
        assertThat(counter(MASQUERADED, routerTable())).isPositive();
    }
}
