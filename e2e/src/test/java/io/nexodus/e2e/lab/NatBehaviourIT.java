package io.nexodus.e2e.lab;

import static io.nexodus.e2e.lab.StandardLab.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves each NAT of the standard lab behaves as its name says, judged by programs nobody here wrote: coturn's
 * {@code turnserver} as STUN server on two public hosts, Debian's {@code stun} client on the hosts behind NATs, and
 * {@code iperf3} for TCP. One lab serves all tests; {@link NatLab#resetNetwork()} after each test restores mappings,
 * filters and addresses and flushes conntrack, while the two STUN servers keep running.
 */
@RequiresNetns(commands = {"nft", "conntrack", "turnserver", "stun", "iperf3", "unshare"})
class NatBehaviourIT {
    private static NatLab lab;
    private static String stunA;
    private static String stunB;

    @BeforeAll
    static void buildLab() {
        lab = StandardLab.build(Path.of("target", "natlab", NatBehaviourIT.class.getSimpleName()));
        try {
            stunA = lab.host(PUB_A).address();
            stunB = lab.host(PUB_B).address();
            Coturn.start(lab.host(PUB_A), stunA, 3478);
            Coturn.start(lab.host(PUB_B), stunB, 3478);
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    @AfterEach
    void restore() {
        lab.resetNetwork();
    }

    @AfterAll
    static void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void easyNatKeepsTheHostsPortAndOneMappingForEveryDestination() {
        String toA = StunClient.mapped(lab.host(EASY_A), stunA, 40010);
        String toB = StunClient.mapped(lab.host(EASY_A), stunB, 40010);
        assertThat(toA).isEqualTo("198.51.100.11:40010").isEqualTo(toB);

        // Two homes with the same private address and port are told apart only by their public address.
        assertThat(lab.host(EASY_B).address()).isEqualTo(lab.host(EASY_A).address());
        assertThat(StunClient.mapped(lab.host(EASY_B), stunA, 40010)).isEqualTo("198.51.100.12:40010");
    }

    @Test
    void sequentialNatGivesEveryNewFlowTheNextPort() {
        lab.gateway(SYM2).setMapping(NatMapping.sequential());
        String first = StunClient.mapped(lab.host(SYM_B), stunA, 40030);
        String second = StunClient.mapped(lab.host(SYM_B), stunB, 40030);
        String third = StunClient.mapped(lab.host(SYM_B), stunA, 40031);
        assertThat(StunClient.ip(first)).isEqualTo("198.51.100.22").isEqualTo(StunClient.ip(second));
        int p = StunClient.port(first);
        assertThat(p).isBetween(40000, 40999);
        // one flow per STUN exchange here, nothing else behind sym2: the next flows get the next ports
        assertThat(StunClient.port(second)).isEqualTo(p + 1);
        assertThat(StunClient.port(third)).isEqualTo(p + 2);
        // the same flow again keeps its mapping while conntrack tracks it
        assertThat(StunClient.mapped(lab.host(SYM_B), stunA, 40030)).isEqualTo(first);
    }

    @Test
    void symmetricNatGivesEveryDestinationItsOwnPort() {
        String toA = StunClient.mapped(lab.host(SYM_A), stunA, 40020);
        String toB = StunClient.mapped(lab.host(SYM_A), stunB, 40020);
        assertThat(StunClient.ip(toA)).isEqualTo("198.51.100.21").isEqualTo(StunClient.ip(toB));
        assertThat(StunClient.port(toA)).isNotEqualTo(StunClient.port(toB)).isNotEqualTo(40020);
        // The same flow again keeps its mapping while conntrack tracks it.
        assertThat(StunClient.mapped(lab.host(SYM_A), stunA, 40020)).isEqualTo(toA);
    }

    @Test
    void twoHostsBehindOneNatCannotHairpinButReachEachOtherOnTheLan() {
        LabHost lanA = lab.host(LAN_A);
        LabHost lanB = lab.host(LAN_B);
        NatGateway shared = lab.gateway(SHARED);
        LabHost pubA = lab.host(PUB_A);

        // lan-b opens a mapping from port 3478 towards pub-a:40400 (nothing listens there, so no answer)...
        assertThat(StunClient.silent(lanB, pubA.address(), 40400, 3478)).isTrue();
        NatEntry mapping = shared.natEntry("udp", lanB.address(), 3478).orElseThrow();
        assertThat(mapping.publicAddress()).isEqualTo("198.51.100.31");
        // ...then serves STUN on that very port behind the NAT.
        try (ChildProcess _ = Coturn.start(lanB, lanB.address(), 3478)) {
            // From the remote the mapping was opened to, the public endpoint leads to lan-b...
            String seen = StunClient.mappedAddress(
                            pubA, mapping.publicAddress(), mapping.publicPort(), 40400, StunClient.ANSWER)
                    .orElseThrow(() -> new AssertionError("mapping " + mapping + " not reachable"));
            assertThat(seen).isEqualTo(pubA.address() + ":40400");
            // ...but lan-a, behind the same NAT, cannot use it: the gateway does not hairpin.
            assertThat(StunClient.silent(lanA, mapping.publicAddress(), mapping.publicPort(), 40500))
                    .isTrue();
            // On the LAN they reach each other directly (what "same reflexive IP => local endpoint" relies on).
            assertThat(StunClient.mappedAddress(lanA, lanB.address(), 3478, 40501, StunClient.ANSWER))
                    .contains(lanA.address() + ":40501");
        }
    }

    @Test
    void doubleNatMapsOutwardThroughBothGateways() {
        LabHost dbl = lab.host(DBL_A);
        String toA = StunClient.mapped(dbl, stunA, 40040);
        String toB = StunClient.mapped(dbl, stunB, 40040);
        assertThat(StunClient.ip(toA)).isEqualTo("198.51.100.41");
        assertThat(toA).isEqualTo(toB); // two easy NATs stacked are still endpoint-independent
        assertThat(dbl.publicAddress()).isEqualTo("198.51.100.41");

        NatEntry inner = lab.gateway(HOME).natEntry("udp", dbl.address(), 40040).orElseThrow();
        assertThat(inner.publicAddress()).isEqualTo("100.64.0.2");
        NatEntry outer = lab.gateway(CGN)
                .natEntry("udp", "100.64.0.2", inner.publicPort())
                .orElseThrow();
        assertThat(outer.publicEndpoint()).isEqualTo(toA);
    }

    @Test
    void udpBlockedFirewallPassesOnlyTcp443() {
        LabHost fwA = lab.host(FW_A);
        LabHost pubB = lab.host(PUB_B);
        assertThat(StunClient.silent(fwA, stunA, 3478, 40050))
                .as("UDP out of the firewall")
                .isTrue();

        try (ChildProcess _ = iperfServer(pubB, 443);
                ChildProcess _ = iperfServer(pubB, 5201)) {
            assertThat(iperf(fwA, pubB.address(), 443).ok())
                    .as("TCP 443 through the firewall")
                    .isTrue();
            assertThat(iperf(fwA, pubB.address(), 5201).ok())
                    .as("TCP 5201 through the firewall")
                    .isFalse();
            assertThat(iperf(lab.host(EASY_A), pubB.address(), 5201).ok())
                    .as("TCP 5201 through an easy NAT")
                    .isTrue();
        }
        assertThat(fwA.canPing(pubB.address(), Duration.ofSeconds(1)))
                .as("ICMP through the firewall")
                .isFalse();
    }

    @Test
    void udpCanBeBlockedAndUnblockedWhileTheLabRuns() {
        LabHost easyA = lab.host(EASY_A);
        NatGateway easy1 = lab.gateway(EASY1);
        assertThat(StunClient.mapped(easyA, stunA, 40060)).isNotEmpty();

        easy1.setEgress(Egress.NO_UDP);
        assertThat(StunClient.silent(easyA, stunA, 3478, 40060))
                .as("same flow, now blocked")
                .isTrue();
        easy1.setEgress(Egress.OPEN);
        assertThat(StunClient.mapped(easyA, stunA, 40060)).isEqualTo("198.51.100.11:40060");

        LabHost pubB = lab.host(PUB_B);
        pubB.blockUdp();
        assertThat(StunClient.silent(easyA, stunB, 3478, 40061))
                .as("pub-b blocks UDP")
                .isTrue();
        assertThat(StunClient.mapped(easyA, stunA, 40061)).isNotEmpty();
        pubB.unblockUdp();
        assertThat(StunClient.mapped(easyA, stunB, 40061)).isNotEmpty();
    }

    @Test
    void portRangeChangeRemapsFlowsOnlyAfterConntrackFlush() {
        LabHost easyA = lab.host(EASY_A);
        NatGateway easy1 = lab.gateway(EASY1);
        assertThat(StunClient.mapped(easyA, stunA, 40070)).isEqualTo("198.51.100.11:40070");

        easy1.setMapping(NatMapping.easy().withPorts(20000, 20999));
        assertThat(StunClient.mapped(easyA, stunA, 40070))
                .as("a tracked flow keeps its mapping")
                .isEqualTo("198.51.100.11:40070");

        easy1.flushConntrack();
        String toA = StunClient.mapped(easyA, stunA, 40070);
        assertThat(StunClient.port(toA)).isBetween(20000, 20999);
        assertThat(StunClient.mapped(easyA, stunB, 40070))
                .as("still endpoint-independent")
                .isEqualTo(toA);
    }

    @Test
    void conntrackFlushRemapsASymmetricNatButNotAPortPreservingOne() {
        String easy = StunClient.mapped(lab.host(EASY_A), stunA, 40080);
        lab.gateway(EASY1).flushConntrack();
        assertThat(StunClient.mapped(lab.host(EASY_A), stunA, 40080))
                .as("the free port is preserved again")
                .isEqualTo(easy);

        // fully-random picks from ~64k ports: the chance of drawing the same one again is ~1/64000.
        String sym = StunClient.mapped(lab.host(SYM_A), stunA, 40080);
        lab.gateway(SYM1).flushConntrack();
        assertThat(StunClient.mapped(lab.host(SYM_A), stunA, 40080)).isNotEqualTo(sym);
    }

    @Test
    void renumberingAGatewayGivesItsHostsANewPublicAddressAndResetUndoesIt() {
        LabHost easyB = lab.host(EASY_B);
        NatGateway easy2 = lab.gateway(EASY2);
        assertThat(StunClient.mapped(easyB, stunA, 40090)).isEqualTo("198.51.100.12:40090");

        String fresh = easy2.renumber();
        assertThat(fresh).isNotEqualTo("198.51.100.12").startsWith("198.51.100.");
        assertThat(easyB.publicAddress()).isEqualTo(fresh);
        assertThat(StunClient.mapped(easyB, stunA, 40090)).isEqualTo(fresh + ":40090");

        lab.resetNetwork();
        assertThat(easy2.wanAddress()).isEqualTo("198.51.100.12");
        assertThat(StunClient.mapped(easyB, stunA, 40090)).isEqualTo("198.51.100.12:40090");
    }

    @Test
    void checksummedTransferRunsAJavaMainInsideHostsAndPassesTheFirewallOn443() {
        LabHost pubA = lab.host(PUB_A);
        try (ChildProcess server = pubA.startTransferServer(443)) {
            TransferResult viaFirewall = lab.host(FW_A).transfer(pubA.address(), 443, 1 << 20, Duration.ofSeconds(20));
            assertThat(viaFirewall.ok()).as(viaFirewall.output()).isTrue();
            TransferResult viaDoubleNat =
                    lab.host(DBL_A).transfer(pubA.address(), 443, 1 << 20, Duration.ofSeconds(20));
            assertThat(viaDoubleNat.ok()).as(viaDoubleNat.output()).isTrue();
            assertThat(server.output())
                    .contains("received 1048576 bytes sha256=", "from /198.51.100.51:", "from /198.51.100.41:");
        }
    }

    private static ChildProcess iperfServer(LabHost host, int port) {
        ChildProcess p =
                host.spawn("iperf3-" + port, List.of("iperf3", "-s", "--forceflush", "-p", Integer.toString(port)));
        p.awaitOutput("Server listening on " + port, Duration.ofSeconds(10));
        return p;
    }

    private static Cmd.Result iperf(LabHost from, String server, int port) {
        return from.tryExec(
                Duration.ofSeconds(15),
                "iperf3",
                "-c",
                server,
                "-p",
                Integer.toString(port),
                "-n",
                "256K",
                "--connect-timeout",
                "1500");
    }
}
