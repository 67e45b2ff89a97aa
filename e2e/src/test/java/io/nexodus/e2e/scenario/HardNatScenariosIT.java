package io.nexodus.e2e.scenario;

import static io.nexodus.e2e.lab.StandardLab.*;
import static io.nexodus.e2e.scenario.ScenarioLab.MIB;
import static io.nexodus.e2e.scenario.ScenarioLab.await;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitRunning;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.nexdctl.ListPeersResult;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.api.nexdctl.PeeringMethod;
import io.nexodus.api.nexdctl.RelayKind;
import io.nexodus.e2e.lab.NatEntry;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.NatMapping;
import io.nexodus.e2e.lab.TransferResult;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * Direct paths with a symmetric NAT on one side (docs/nexd.md, "Peering"): the symmetric side sends to a public
 * peer's reflexive endpoint, the public side learns the symmetric side's mapping from the authenticated WireGuard
 * packets (roaming) and answers there: {@code peer-reflexive} on both sides; towards an easy NAT when the symmetric
 * NAT hands out its ports in turn (port prediction: the easy side probes the predicted ports first). No WireGuard
 * relay in the VPC, so the fallback is the service's public DERP relay. One lab and one service for the class.
 */
@RequiresNetns(commands = {"nft", "conntrack", "unshare", "wg", "ping"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HardNatScenariosIT {
    private static final Path LOGS = Path.of("target", "natlab", HardNatScenariosIT.class.getSimpleName());
    /** Short method timeouts: a failed peer-reflexive attempt is retried after 6 s instead of 3 min. */
    private static final String[] FAST = {
        "--peer-up-timeout", "4s", "--peer-down-timeout", "4s", "--keepalive", "1s", "--retry-failed-after", "6s"
    };

    private static ScenarioLab env;
    private static NatLab lab;

    @BeforeAll
    static void startLabAndService() {
        env = ScenarioLab.start(LOGS, 7300);
        lab = env.lab;
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

    /**
     * pub-a at first drops UDP to and from sym1's address, so the pair starts on DERP; an easy-NAT host in the same
     * VPC stays on DERP with the symmetric host (its NAT drops packets from the symmetric side's new mapping) and
     * direct with the public one. A paced transfer sym-a → pub-a runs through DERP; the firewall goes; at the next
     * retry of the method both sides switch to peer-reflexive with the endpoints the NATs really hold, and the same
     * TCP connection finishes intact.
     */
    @Test
    @Order(1)
    void aSymmetricNatHostAndAPublicHostGoDirectAndARunningTransferSurvivesTheSwitch() throws Exception {
        String rk = env.newVpc("h1");
        String symWan = lab.gateway(SYM1).publicAddress();
        lab.host(PUB_A)
                .exec(
                        "sh",
                        "-c",
                        "nft add table inet h1 && "
                                + "nft add chain inet h1 in '{ type filter hook input priority 0; }' && "
                                + "nft add chain inet h1 out '{ type filter hook output priority 0; }' && "
                                + "nft add rule inet h1 in ip saddr " + symWan + " meta l4proto udp drop && "
                                + "nft add rule inet h1 out ip daddr " + symWan + " meta l4proto udp drop");
        // the public side runs wireguard-go (roaming and `wg show` from another WireGuard); MeshScenariosIT 4 covers
        // the built-in device's
        LabAgent pub = env.start(
                LabAgent.on(lab.host(PUB_A), env.service, rk).args(FAST).env("NEXD_USE_WIREGUARD_GO", "1"));
        LabAgent sym = env.agent(SYM_A, rk, FAST);
        LabAgent easy = env.agent(EASY_A, rk, FAST);
        awaitRunning(pub, sym, easy);
        awaitViaDerp(sym, pub);
        awaitViaDerp(pub, sym);
        awaitViaDerp(sym, easy);
        awaitViaDerp(easy, sym);
        awaitDirect(pub, easy, PeeringMethod.REFLEXIVE, "198.51.100.11:" + easy.listenPort());
        assertThat(sym.process().output()).contains("peer-reflexive");

        int sink = env.sink(pub);
        String to = pub.tunnelIp();
        // 12 MiB at 1 MiB/s: one TCP connection that spans the switch
        CompletableFuture<TransferResult> running = CompletableFuture.supplyAsync(
                () -> sym.host().transfer(to, sink, 12 * MIB, Duration.ofSeconds(60), MIB));
        Thread.sleep(2000);
        assertThat(running).as("the transfer runs through DERP").isNotDone();
        lab.host(PUB_A).exec("nft", "delete", "table", "inet", "h1");
        Instant opened = Instant.now();

        awaitDirect(sym, pub, PeeringMethod.PEER_REFLEXIVE, "203.0.113.40:" + pub.listenPort());
        // what pub-a answers is sym1's real mapping of sym-a's WireGuard port towards pub-a
        NatEntry mapping = await(
                Duration.ofSeconds(10),
                "sym1 maps sym-a's WireGuard port towards pub-a",
                () -> lab.gateway(SYM1).natEntries().stream()
                        .filter(e -> e.protocol().equals("udp")
                                && e.lanAddress().equals(sym.host().address())
                                && e.lanPort() == sym.listenPort()
                                && e.remoteAddress().equals("203.0.113.40"))
                        .findFirst());
        awaitDirect(pub, sym, PeeringMethod.PEER_REFLEXIVE, mapping.publicEndpoint());
        System.out.println("peer-reflexive: both sides direct "
                + Duration.between(opened, Instant.now()).toMillis()
                + " ms after the firewall went; sym1 maps sym-a:" + sym.listenPort() + " -> "
                + mapping.publicEndpoint() + " towards pub-a");
        assertThat(running)
                .as("the transfer was still running when the path switched")
                .isNotDone();
        TransferResult r = running.get();
        assertThat(r.ok()).as(r.output()).isTrue();
        assertThat(r.attempts()).as("one TCP connection, never re-opened").isEqualTo(1);

        env.assertTransfer(pub, sym);
        env.assertTransfer(sym, pub);
        ListPeersResult cli = pub.peersViaNexctl();
        assertThat(cli.peers().get(sym.publicKey()).method()).isEqualTo(PeeringMethod.PEER_REFLEXIVE);
        assertThat(cli.peers().get(sym.publicKey()).relay()).isNull();
        assertThat(pub.process().output()).contains("the peer reaches us directly from " + mapping.publicEndpoint());
        assertThat(pub.process().output()).contains("UAPI WireGuard process");
        // the easy NAT's pair is still relayed
        assertThat(sym.peer(easy).map(PeerStatus::method)).contains(PeeringMethod.VIA_DERP_RELAY);
    }

    /**
     * Port prediction: sym2 hands out its ports in turn ({@link NatMapping#sequential()}), so sym-b's two STUN answers
     * lie next to each other and easy-a can predict sym-b's next mapping. sym-b sends to easy-a's reflexive endpoint
     * (peer-reflexive, as towards a public host); easy-a, whose NAT drops packets from ports it has not sent to, sends a
     * window of probes from its WireGuard port to the predicted ports, so its NAT lets sym-b's handshake in, and learns
     * sym-b's mapping from it. At first a firewall on easy-a drops the probes (1-byte UDP payloads to sym2): sym-b's
     * attempt fails and both sides fall back to DERP; without the firewall the next attempt goes direct. sym-a behind
     * sym1 (random ports) stays on the DERP relay with easy-a: nothing to predict.
     */
    @Test
    @Order(2)
    void anEasyNatAndASequentialNatGoDirectByPortPredictionARandomOneStaysOnTheRelay() throws Exception {
        lab.gateway(SYM2).setMapping(NatMapping.sequential()); // undone by the reset after the test
        lab.host(EASY_A)
                .exec(
                        "sh",
                        "-c",
                        "nft add table inet h2 && "
                                + "nft add chain inet h2 out '{ type filter hook output priority 0; }' && "
                                + "nft add rule inet h2 out ip daddr 198.51.100.22 udp length 9 drop");
        String rk = env.newVpc("h2");
        LabAgent easy = env.agent(EASY_A, rk, FAST);
        LabAgent seq = env.agent(SYM_B, rk, FAST);
        LabAgent random = env.agent(SYM_A, rk, FAST);
        awaitRunning(easy, seq, random);
        String easyReflexive = "198.51.100.11:" + easy.listenPort();

        // the probes do not get out: the attempt fails and both sides use DERP
        awaitTrue(
                Duration.ofSeconds(30),
                "sym-b's peer-reflexive attempt towards easy-a fails",
                () -> seq.process().output().contains("peer-reflexive " + easyReflexive + " failed (no handshake"));
        awaitViaDerp(seq, easy);
        awaitViaDerp(easy, seq);
        assertThat(easy.process().output()).contains("probing 198.51.100.22:");
        lab.host(EASY_A).exec("nft", "delete", "table", "inet", "h2");
        Instant opened = Instant.now();

        awaitDirect(seq, easy, PeeringMethod.PEER_REFLEXIVE, easyReflexive);
        NatEntry mapping = await(
                Duration.ofSeconds(10),
                "sym2 maps sym-b's WireGuard port towards easy-a",
                () -> lab.gateway(SYM2).natEntries().stream()
                        .filter(e -> e.protocol().equals("udp")
                                && e.lanAddress().equals(seq.host().address())
                                && e.lanPort() == seq.listenPort()
                                && e.remoteAddress().equals("198.51.100.11"))
                        .findFirst());
        awaitDirect(easy, seq, PeeringMethod.PEER_REFLEXIVE, mapping.publicEndpoint());
        long directMs = Duration.between(opened, Instant.now()).toMillis();

        // the mapping is one of the ports easy-a probed
        Matcher probed = Pattern.compile("probing 198\\.51\\.100\\.22:(\\d+)-(\\d+) from the WireGuard port")
                .matcher(easy.process().output());
        assertThat(probed.find()).as("easy-a probed predicted ports").isTrue();
        int mapped = Integer.parseInt(
                mapping.publicEndpoint().substring(mapping.publicEndpoint().lastIndexOf(':') + 1));
        assertThat(mapped).isBetween(Integer.parseInt(probed.group(1)), Integer.parseInt(probed.group(2)));
        System.out.println("port prediction: easy-a <-> sym-b direct " + directMs + " ms after the firewall went;"
                + " sym2 maps sym-b:" + seq.listenPort() + " -> " + mapping.publicEndpoint() + " towards easy-a,"
                + " probed window " + probed.group(1) + "-" + probed.group(2));

        assertThat(easy.host().canPing(seq.tunnelIp(), Duration.ofSeconds(2))).isTrue();
        assertThat(seq.host().canPing(easy.tunnelIp(), Duration.ofSeconds(2))).isTrue();
        env.assertTransfer(easy, seq);
        env.assertTransfer(seq, easy);
        ListPeersResult cli = easy.peersViaNexctl();
        assertThat(cli.peers().get(seq.publicKey()).method()).isEqualTo(PeeringMethod.PEER_REFLEXIVE);
        assertThat(cli.peers().get(seq.publicKey()).relay()).isNull();
        assertThat(cli.peers().get(seq.publicKey()).pathNote())
                .startsWith("port prediction: the mapping came after ")
                .endsWith(" probes to 198.51.100.22:" + probed.group(1) + "-" + probed.group(2));
        assertThat(seq.peersViaNexctl().peers().get(easy.publicKey()).pathNote())
                .startsWith("port prediction: our NAT hands out its ports in turn");
        assertThat(easy.process().output()).contains("the peer reaches us directly from " + mapping.publicEndpoint());

        // random ports: no prediction, no probes, the relay as before
        awaitViaDerp(easy, random);
        awaitViaDerp(random, easy);
        env.assertTransfer(easy, random);
        env.assertTransfer(random, easy);
        assertThat(easy.process().output()).doesNotContain("probing 198.51.100.21");
        assertThat(random.peer(easy).map(PeerStatus::method)).contains(PeeringMethod.VIA_DERP_RELAY);
        // two symmetric NATs: still the relay, even if one of them is predictable
        awaitViaDerp(seq, random);
        awaitViaDerp(random, seq);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * {@code viewer} reports {@code peer} healthy on the direct method {@code method}, and its WireGuard interface
     * really has the peer at {@code endpoint} with a completed handshake.
     */
    private static void awaitDirect(LabAgent viewer, LabAgent peer, String method, String endpoint) {
        awaitTrue(Duration.ofSeconds(30), viewer + " reaches " + peer + " by " + method + " at " + endpoint, () -> {
            PeerStatus s = viewer.peer(peer).orElse(null);
            if (s == null || !method.equals(s.method()) || !s.healthy() || s.relay() != null) {
                return false;
            }
            WgPeer p = viewer.wgPeers().get(peer.publicKey());
            return p != null
                    && p.endpoint().equals(endpoint)
                    && p.lastHandshake() != null
                    && p.allowedIps().contains(peer.tunnelIp() + "/32");
        });
    }

    private static void awaitViaDerp(LabAgent viewer, LabAgent peer) {
        awaitTrue(Duration.ofSeconds(45), viewer + " reaches " + peer + " through the public DERP relay", () -> {
            Optional<PeerStatus> s = viewer.peer(peer);
            if (s.isEmpty()
                    || !PeeringMethod.VIA_DERP_RELAY.equals(s.get().method())
                    || !RelayKind.PUBLIC_DERP.equals(s.get().relay())
                    || !s.get().healthy()) {
                return false;
            }
            WgPeer p = viewer.wgPeers().get(peer.publicKey());
            return p != null && p.endpoint().startsWith("127.") && p.lastHandshake() != null;
        });
    }
}
