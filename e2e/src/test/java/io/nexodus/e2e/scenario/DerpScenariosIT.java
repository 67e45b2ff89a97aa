package io.nexodus.e2e.scenario;

import static io.nexodus.e2e.lab.StandardLab.*;
import static io.nexodus.e2e.scenario.ScenarioLab.START;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitRunning;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.nexdctl.ListPeersResult;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.api.nexdctl.PeeringMethod;
import io.nexodus.api.nexdctl.RelayKind;
import io.nexodus.core.tls.SelfSignedCa;
import io.nexodus.derp.tls.CertDir;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Agent-side DERP scenarios on the standard NAT lab: peers that cannot reach each other over UDP relay their
 * WireGuard packets through the service's public DERP relay (TLS on 443) via the in-agent wireguard-derp proxy.
 * Asserted from the control socket (method {@code via-derp-relay}, relay {@code public-derp}), from the interface
 * ({@code wg show dump}: a {@code 127.x.y.z} endpoint with a handshake) and with checksummed TCP transfers.
 * One lab and one service for the class; each scenario has its own VPC and agents.
 */
@RequiresNetns(commands = {"nft", "conntrack", "unshare", "wg", "ping"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DerpScenariosIT {
    private static final Path LOGS = Path.of("target", "natlab", DerpScenariosIT.class.getSimpleName());
    private static final String[] FAST = {"--peer-up-timeout", "4s", "--peer-down-timeout", "4s", "--keepalive", "1s"};
    private static ScenarioLab env;
    private static NatLab lab;
    private static LabService service;

    @BeforeAll
    static void startLabAndService() {
        env = ScenarioLab.start(LOGS, 7100);
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

    /** Symmetric NAT on both sides, no onboarded relay of any kind: the service's public DERP relay carries them. */
    @Test
    @Order(1)
    void symmetricToSymmetricGoesThroughThePublicDerpRelay() {
        String rk = env.newVpc("d1");
        LabAgent a = env.agent(SYM_A, rk);
        // the other side runs wireguard-go as its data plane: the proxy's loopback sockets work with both backends
        LabAgent.Builder bb = LabAgent.on(lab.host(SYM_B), service, rk).env("NEXD_USE_WIREGUARD_GO", "1");
        LabAgent b = env.start(bb);
        awaitRunning(a, b);
        awaitViaDerp(a, b, RelayKind.PUBLIC_DERP);
        awaitViaDerp(b, a, RelayKind.PUBLIC_DERP);
        env.assertTransfer(a, b);
        env.assertTransfer(b, a);
        ListPeersResult cli = a.peersViaNexctl();
        assertThat(cli.peers().get(b.publicKey()).method()).isEqualTo(PeeringMethod.VIA_DERP_RELAY);
        assertThat(cli.peers().get(b.publicKey()).relay()).isEqualTo(RelayKind.PUBLIC_DERP);
        assertThat(cli.relayRequired()).isTrue();
        assertThat(b.process().output()).contains("UAPI WireGuard process");
    }

    /**
     * A host behind a firewall that lets out only TCP to port 443 (no UDP at all: no STUN, no WireGuard) reaches a
     * public peer and a symmetric-NAT peer through the public DERP relay on 443. The lab's API listens on 8443, so the
     * firewall also admits that one port to the service (a real deployment serves the API on 443 too).
     */
    @Test
    @Order(2)
    void aHostThatMayOnlyUseTcp443ReachesItsPeersThroughDerp() {
        var relayNode =
                service.admin().relays().list().regions().get("900").nodes().getFirst();
        assertThat(relayNode.derpPort())
                .as("the service's public DERP relay is on 443")
                .isEqualTo(443);
        lab.gateway(FW).admitTcp(service.host().address(), LabService.PORT);
        String rk = env.newVpc("d2");
        LabAgent f = env.agent(FW_A, rk, FAST);
        LabAgent p = env.agent(PUB_A, rk, FAST);
        LabAgent s = env.agent(SYM_A, rk, FAST);
        awaitRunning(f, p, s);
        awaitViaDerp(f, p, RelayKind.PUBLIC_DERP);
        awaitViaDerp(p, f, RelayKind.PUBLIC_DERP);
        awaitViaDerp(f, s, RelayKind.PUBLIC_DERP);
        env.assertTransfer(f, p);
        env.assertTransfer(p, f);
        env.assertTransfer(s, f);
    }

    /**
     * A DERP relay onboarded into the VPC with a private name and the user's own certificate (a CA this test makes):
     * peers switch to it, keep going through it while the service (and with it the public relay) is down, and fall
     * back to the public relay when the relay device is deleted. The relay is {@code nexd relayderp --certmode manual}
     * on derp1; its device and metadata are written through the API exactly as {@code relayderp --onboard} does
     * (relay=true, {@code relay = {type: derp, hostname, certmodemanual: true}}, its reflexive endpoint).
     */
    @Test
    @Order(3)
    void anOnboardedDerpRelayWithPrivateNameAndManualCertsTakesPrecedenceAndFallsBack() throws Exception {
        String name = "relay.corp.internal";
        Path certs = LOGS.toAbsolutePath().resolve("derp-certs-" + System.nanoTime());
        CertDir certDir = new CertDir(certs);
        SelfSignedCa ca = certDir.selfSignedCa(Clock.systemUTC());
        certDir.issue(ca, name);
        LabHost derpHost = lab.host(DERP1);
        Vpc vpc = env.newVpcRecord("d3");
        String rk = env.regKey(vpc, "d3");
        String[] args = {
            "--derp-ca-cert",
            ca.certificateFile().toString(),
            "--peer-up-timeout",
            "4s",
            "--peer-down-timeout",
            "4s",
            "--keepalive",
            "1s"
        };
        LabAgent a = env.agent(SYM_A, rk, args);
        LabAgent b = env.agent(SYM_B, rk, args);
        awaitRunning(a, b);
        awaitViaDerp(a, b, RelayKind.PUBLIC_DERP);
        awaitViaDerp(b, a, RelayKind.PUBLIC_DERP);

        // onboard: `nexd relayderp --onboard` joins the VPC as its relay device and says what it is
        String relayAddress = derpHost.address();
        LabAgent relayAgent = env.start(LabAgent.on(derpHost, service, rk)
                .onboardedDerpRelay(
                        "--hostname",
                        name,
                        "--certmode",
                        "manual",
                        "--certdir",
                        certs.toString(),
                        "--addr",
                        ":443",
                        "--no-stun"));
        relayAgent.awaitRunning(START);
        Device relayDevice = service.admin().vpcs().devices(vpc.id(), ListOptions.NONE).items().stream()
                .filter(d -> d.publicKey().equals(relayAgent.publicKey()))
                .findFirst()
                .orElseThrow();
        assertThat(relayDevice.relay())
                .as("registered as the VPC's relay, as upstream")
                .isTrue();
        JsonNode meta =
                service.admin().devices().getMetadata(relayDevice.id(), "relay").value();
        assertThat(meta.path("type").asText()).isEqualTo("derp");
        assertThat(meta.path("hostname").asText()).isEqualTo(name);
        assertThat(meta.path("certmodemanual").asBoolean()).isTrue();
        awaitViaDerp(a, b, RelayKind.ONBOARDED_DERP);
        awaitViaDerp(b, a, RelayKind.ONBOARDED_DERP);
        assertThat(lab.host(SYM_A).hostsFileContent()).contains(relayAddress + " " + name);
        assertThat(a.wgPeers()).doesNotContainKey(relayDevice.publicKey()); // a DERP relay is no WireGuard peer
        env.assertTransfer(a, b);
        env.assertTransfer(b, a);

        // the public relay goes away (with the whole service): traffic keeps flowing through the onboarded relay
        service.kill();
        env.assertTransfer(a, b);
        env.assertTransfer(b, a);
        assertThat(a.peer(b).orElseThrow().relay()).isEqualTo(RelayKind.ONBOARDED_DERP);
        service.restart();

        // the relay is removed (stopped, then its device deleted): back to the public relay, and the pinned name
        // leaves /etc/hosts. The device is looked up by key again: a restarted service has, in some lab runs, lost
        // writes of the seconds before the kill (see docs/service.md, known gaps), and the relay then registered
        // again as a new device.
        relayAgent.close();
        List<Device> relayDevices = service.admin().vpcs().devices(vpc.id(), ListOptions.NONE).items().stream()
                .filter(d -> relayAgent.publicKey().equals(d.publicKey()))
                .toList();
        if (relayDevices.stream().noneMatch(d -> d.id().equals(relayDevice.id()))) {
            System.out.println("WARNING: the restarted service lost the relay device " + relayDevice.id()
                    + "; it registered again as "
                    + relayDevices.stream().map(Device::id).toList());
        }
        for (Device d : relayDevices) {
            service.admin().devices().delete(d.id());
        }
        assertThat(service.admin().vpcs().devices(vpc.id(), ListOptions.NONE).items())
                .noneMatch(d -> relayAgent.publicKey().equals(d.publicKey()));
        awaitViaDerp(a, b, RelayKind.PUBLIC_DERP);
        awaitViaDerp(b, a, RelayKind.PUBLIC_DERP);
        env.assertTransfer(a, b);
        // traffic may move to the public relay (the onboarded one's connection died) before the watch event that
        // removes the relay device reaches the agent and its /etc/hosts block
        awaitTrue(
                Duration.ofSeconds(15),
                name + " leaves /etc/hosts on " + SYM_A,
                () -> !lab.host(SYM_A).hostsFileContent().contains(name));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * UDP blocked on one host of a VPC that has a WireGuard relay: that host can now use nothing but DERP, while its
     * peers still reach the relay and would go on sending through it, so the pair would never handshake. A peer that
     * hears the host through DERP answers there: both sides are on DERP with a handshake within 5 s of the host's own
     * fallback, and data flows both ways.
     */
    @Test
    @Order(4)
    void whenOneSideCanOnlyUseDerpItsPeerFollowsItThere() {
        String rk = env.newVpc("d4");
        LabAgent relay =
                env.start(LabAgent.on(lab.host(RELAY), service, rk).relay().args(FAST));
        relay.awaitRunning(START);
        LabAgent sym = env.agent(SYM_A, rk, FAST);
        // behind an easy NAT: a public peer would reach the symmetric host directly (peer-reflexive), not via the relay
        LabAgent peer = env.agent(EASY_A, rk, FAST);
        awaitRunning(sym, peer);
        awaitTrue(Duration.ofSeconds(45), "both ends relayed through the WireGuard relay", () -> {
            PeerStatus a = sym.peer(peer).orElse(null);
            PeerStatus b = peer.peer(sym).orElse(null);
            return a != null
                    && b != null
                    && PeeringMethod.VIA_RELAY.equals(a.method())
                    && PeeringMethod.VIA_RELAY.equals(b.method())
                    && a.healthy()
                    && b.healthy();
        });
        env.assertTransfer(peer, sym);

        lab.host(SYM_A).blockUdp();
        long[] symOnDerpAt = {0};
        awaitTrue(Duration.ofSeconds(45), SYM_A + " falls back to DERP", () -> {
            PeerStatus a = sym.peer(peer).orElse(null);
            if (a != null && PeeringMethod.VIA_DERP_RELAY.equals(a.method())) {
                symOnDerpAt[0] = System.nanoTime();
                return true;
            }
            return false;
        });
        awaitViaDerp(peer, sym, RelayKind.PUBLIC_DERP);
        long followedAfterMs = (System.nanoTime() - symOnDerpAt[0]) / 1_000_000;
        awaitViaDerp(sym, peer, RelayKind.PUBLIC_DERP);
        assertThat(followedAfterMs)
                .as("the peer on DERP with a handshake, ms after the host's fallback")
                .isLessThan(5_000);
        assertThat(peer.process().output()).contains("the peer reaches us only through DERP; answering there");
        env.assertTransfer(peer, sym);
        env.assertTransfer(sym, peer);
    }

    /**
     * Two DERP relays onboarded into one VPC (derp1 and derp2, private names, the user's CA), two symmetric-NAT peers
     * that can meet only through DERP. Each agent pings both relays every tick and sends through the fastest healthy
     * one. The relay the first peer uses dies silently (its host's uplink is cut: the TCP connections stay open, only
     * the pongs stop): both peers move to the other relay, and a 50 ms ping between them resumes within 3 s (asserted
     * with 1 s of slack for the shared lab; the measured gap is printed). The uplink returns; with similar latencies
     * traffic normally stays (hysteresis; printed). Then the relay in use crashes (SIGKILL: the connections drop):
     * traffic moves to the other one, again within the bound.
     */
    @Test
    @Order(5)
    void twoOnboardedDerpRelaysFailOverBothWaysWithinThreeSeconds() throws Exception {
        Path certs = LOGS.toAbsolutePath().resolve("derp-certs-" + System.nanoTime());
        CertDir certDir = new CertDir(certs);
        SelfSignedCa ca = certDir.selfSignedCa(Clock.systemUTC());
        String name1 = "relay1.corp.internal";
        String name2 = "relay2.corp.internal";
        certDir.issue(ca, name1);
        certDir.issue(ca, name2);
        String rk = env.newVpc("d5");
        LabAgent relay1 = onboardDerpRelay(DERP1, rk, name1, certs);
        LabAgent relay2 = onboardDerpRelay(DERP2, rk, name2, certs);
        awaitRunning(relay1, relay2);
        String[] args = {
            "--derp-ca-cert",
            ca.certificateFile().toString(),
            "--peer-up-timeout",
            "4s",
            "--peer-down-timeout",
            "4s",
            "--keepalive",
            "1s"
        };
        LabAgent a = env.agent(SYM_A, rk, args);
        LabAgent b = env.agent(SYM_B, rk, args);
        awaitRunning(a, b);
        awaitViaDerp(a, b, RelayKind.ONBOARDED_DERP);
        awaitViaDerp(b, a, RelayKind.ONBOARDED_DERP);
        String first = a.peer(b).orElseThrow().relayName();
        assertThat(first).isIn(name1, name2);
        LabAgent firstRelay = first.equals(name1) ? relay1 : relay2;
        String second = first.equals(name1) ? name2 : name1;
        assertThat(a.peersViaNexctl().peers().get(b.publicKey()).relayName())
                .as("nexctl nexd peers list names the relay")
                .isEqualTo(first);
        env.assertTransfer(a, b);
        // both agents connected to both relays (what lets either one carry every peer), as nexd status shows them
        awaitTrue(Duration.ofSeconds(10), "nexd status shows both relays measured on both peers", () -> {
            String sa = a.ctl().status().message();
            String sb = b.ctl().status().message();
            return sa.contains("DERP relay in use: " + first)
                    && sa.contains("onboarded DERP relay " + name1 + ": healthy, latency ")
                    && sa.contains("onboarded DERP relay " + name2 + ": healthy, latency ")
                    && sb.contains("onboarded DERP relay " + name1 + ": healthy, latency ")
                    && sb.contains("onboarded DERP relay " + name2 + ": healthy, latency ");
        });
        System.out.println(
                "nexctl nexd status on " + SYM_A + ":\n" + a.ctl().status().message());

        try (PingProbe ping = PingProbe.start(lab.host(SYM_A), b.tunnelIp())) {
            assertThat(ping.firstReplyAfter(Instant.now(), Duration.ofSeconds(10)))
                    .isPresent();

            // the first relay goes silent: missed pongs
            Instant cut = Instant.now();
            firstRelay.host().cutUplink();
            awaitTrue(
                    Duration.ofSeconds(15),
                    "both peers move to " + second,
                    () -> second.equals(relayOf(a, b)) && second.equals(relayOf(b, a)));
            Duration silentGap = gapAround(ping, cut);
            System.out.println("MEASURED two onboarded DERP relays: traffic gap when " + first
                    + " went silent (uplink cut): " + silentGap.toMillis() + " ms");
            assertThat(silentGap).isLessThan(Duration.ofSeconds(4));

            // it returns: with similar latencies traffic stays where it is (hysteresis); measured, not asserted, as a
            // loaded lab can make one relay clearly slower for a while
            firstRelay.host().restoreUplink();
            Thread.sleep(6_000);
            String inUse = relayOf(a, b);
            System.out.println("MEASURED two onboarded DERP relays: 6 s after " + first + " returned, " + SYM_A
                    + " sends through " + inUse);
            assertThat(inUse).isIn(name1, name2);
            String other = inUse.equals(name1) ? name2 : name1;
            LabAgent inUseRelay = inUse.equals(name1) ? relay1 : relay2;

            // the relay in use crashes: its connections drop, traffic goes to the other one
            Instant crash = Instant.now();
            inUseRelay.crash();
            awaitTrue(
                    Duration.ofSeconds(15),
                    "both peers move to " + other,
                    () -> other.equals(relayOf(a, b)) && other.equals(relayOf(b, a)));
            Duration crashGap = gapAround(ping, crash);
            System.out.println("MEASURED two onboarded DERP relays: traffic gap when " + inUse + " crashed: "
                    + crashGap.toMillis() + " ms");
            assertThat(crashGap).isLessThan(Duration.ofSeconds(4));
        }
        env.assertTransfer(b, a);
    }

    private static LabAgent onboardDerpRelay(String host, String rk, String name, Path certs) {
        return env.start(LabAgent.on(lab.host(host), service, rk)
                .onboardedDerpRelay(
                        "--hostname",
                        name,
                        "--certmode",
                        "manual",
                        "--certdir",
                        certs.toString(),
                        "--addr",
                        ":443",
                        "--no-stun"));
    }

    /** Which relay {@code viewer} reports for {@code peer} (null when none or not healthy). */
    private static String relayOf(LabAgent viewer, LabAgent peer) {
        PeerStatus s = viewer.peer(peer).orElse(null);
        return s == null || !s.healthy() ? null : s.relayName();
    }

    /**
     * The longest span without a ping reply from just before {@code event} until the first reply 3 s after the
     * traffic came back (waits for that reply).
     */
    private static Duration gapAround(PingProbe ping, Instant event) throws InterruptedException {
        Instant resumed = ping.firstReplyAfter(event.plusSeconds(5), Duration.ofSeconds(20))
                .orElseThrow(() -> new AssertionError("no ping reply 5 s after " + event));
        List<Instant> replies = ping.replies();
        Instant prev = null;
        Duration longest = Duration.ZERO;
        for (Instant t : replies) {
            if (t.isBefore(event.minusSeconds(1)) || t.isAfter(resumed)) {
                continue;
            }
            if (prev != null && Duration.between(prev, t).compareTo(longest) > 0) {
                longest = Duration.between(prev, t);
            }
            prev = t;
        }
        return longest;
    }

    /**
     * {@code viewer} reports {@code peer} healthy on {@code via-derp-relay} through {@code relayKind}, and its
     * interface has the peer at a loopback endpoint (the proxy's socket) with a completed handshake.
     */
    private static void awaitViaDerp(LabAgent viewer, LabAgent peer, String relayKind) {
        awaitTrue(Duration.ofSeconds(45), viewer + " reaches " + peer + " through the " + relayKind + " relay", () -> {
            PeerStatus s = viewer.peer(peer).orElse(null);
            if (s == null
                    || !PeeringMethod.VIA_DERP_RELAY.equals(s.method())
                    || !relayKind.equals(s.relay())
                    || !s.healthy()) {
                return false;
            }
            WgPeer p = viewer.wgPeers().get(peer.publicKey());
            return p != null
                    && p.endpoint().startsWith("127.")
                    && !p.endpoint().startsWith("127.0.0.")
                    && p.lastHandshake() != null
                    && p.allowedIps().contains(peer.tunnelIp() + "/32");
        });
    }
}
