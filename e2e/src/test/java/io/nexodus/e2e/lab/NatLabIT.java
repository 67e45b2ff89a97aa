package io.nexodus.e2e.lab;

import static io.nexodus.e2e.lab.StandardLab.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: addressing, routing, isolation, processes, hosts files, reset and teardown. */
@RequiresNetns(commands = {"nft", "conntrack", "unshare", "ping"})
class NatLabIT {
    private static final Path LOGS = Path.of("target", "natlab", NatLabIT.class.getSimpleName());
    private static NatLab lab;

    @BeforeAll
    static void buildLab() {
        lab = StandardLab.build(LOGS);
        System.out.println("standard lab built in " + lab.buildTime().toMillis() + " ms\n" + lab.describe());
    }

    @AfterEach
    void restore() {
        lab.reset();
    }

    @AfterAll
    static void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void everyHostHasOneAddressAndADefaultRouteThroughItsGateway() {
        assertThat(lab.hosts()).hasSize(14);
        assertThat(lab.gateways()).hasSize(8);
        for (LabHost h : lab.hosts()) {
            assertThat(h.addresses())
                    .as(h.name())
                    .containsExactly(h.address() + "/" + h.subnet().split("/", -1)[1]);
            assertThat(h.defaultRouteAddress()).as(h.name()).contains(h.address());
            assertThat(h.router())
                    .isEqualTo(
                            h.isPublic()
                                    ? "203.0.113.1"
                                    : h.gateway().orElseThrow().lanAddress());
        }
        assertThat(lab.host(SERVICE).address()).isEqualTo("203.0.113.10");
        assertThat(lab.host(EASY_A).publicAddress()).isEqualTo("198.51.100.11");
        assertThat(lab.host(DBL_A).publicAddress()).isEqualTo("198.51.100.41");
        assertThat(lab.gateway(HOME).upstream()).contains(lab.gateway(CGN));
        assertThat(lab.gateway(HOME).wanAddress()).isEqualTo("100.64.0.2");
        assertThat(lab.gateway(FW).egress()).isEqualTo(Egress.TCP_443_ONLY);
        assertThat(lab.gateway(SYM1).mapping()).isEqualTo(NatMapping.symmetric());
    }

    @Test
    void lanHostsReachTheInternetButNothingReachesALanFromOutside() {
        Duration t = Duration.ofSeconds(2);
        assertThat(lab.host(EASY_A).canPing(lab.host(SERVICE).address(), t)).isTrue();
        assertThat(lab.host(DBL_A).canPing(lab.host(SERVICE).address(), t)).isTrue();
        assertThat(lab.host(SYM_B).canPing(lab.host(PUB_B).address(), t)).isTrue();
        assertThat(lab.host(PUB_A).canPing(lab.host(PUB_B).address(), t)).isTrue();
        assertThat(lab.host(LAN_A).canPing(lab.host(LAN_B).address(), t)).isTrue();
        // The internet has no route to private space, and a LAN is not another LAN's neighbour.
        assertThat(lab.host(PUB_A).canPing(lab.host(SYM_A).address(), Duration.ofSeconds(1)))
                .isFalse();
        assertThat(lab.host(SYM_A).canPing(lab.host(SYM_B).address(), Duration.ofSeconds(1)))
                .isFalse();
        assertThat(lab.host(DBL_A).canPing(lab.gateway(HOME).wanAddress(), t)).isTrue();
        assertThat(lab.host(PUB_A).canPing(lab.gateway(HOME).wanAddress(), Duration.ofSeconds(1)))
                .isFalse();
    }

    @Test
    void processesRunWithTheNodesHostNameAndSeeItsHostsFileEvenWhenEditedLater() {
        LabHost easyA = lab.host(EASY_A);
        assertThat(easyA.exec("hostname").stdout().strip()).isEqualTo(EASY_A);
        assertThat(easyA.exec("getent", "hosts", EASY_A).stdout()).contains("192.168.1.10");

        ChildProcess waiter = easyA.spawn(
                "wait-for-name", List.of("sh", "-c", "until getent hosts relay.lab.test; do sleep 0.05; done"));
        easyA.addHostsEntry("203.0.113.30", "relay.lab.test", "relay-alias");
        waiter.awaitOutput("203\\.0\\.113\\.30\\s+relay\\.lab\\.test", Duration.ofSeconds(10));

        assertThat(lab.host(EASY_B)
                        .tryExec(Duration.ofSeconds(5), "getent", "hosts", "relay.lab.test")
                        .ok())
                .as("another node's hosts file")
                .isFalse();
        easyA.removeHostsEntry("relay-alias");
        assertThat(easyA.tryExec(Duration.ofSeconds(5), "getent", "hosts", "relay.lab.test")
                        .ok())
                .isFalse();
        assertThat(Files.exists(easyA.hostsFile())).isTrue();
    }

    @Test
    void javaMainsRunInsideHostsWithThisJdkClassPathAndNativeAccess() {
        Cmd.Result r = lab.host(SYM_A)
                .runJava(
                        Duration.ofSeconds(60),
                        JavaCommand.of(PrintEnvironment.class, "x", "y").withEnv("NATLAB_PROBE", "42"));
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.stdout())
                .contains(
                        "java.home=" + System.getProperty("java.home"),
                        "native-access=true",
                        "localhost=sym-a/192.168.21.10",
                        "env=42",
                        "args=x,y");

        ChildProcess p = lab.host(SYM_A).startJava("print-env", JavaCommand.of(PrintEnvironment.class));
        p.awaitOutput("^args=$", Duration.ofSeconds(60));
        assertThat(p.log()).isEqualTo(lab.host(SYM_A).dir().resolve("print-env.log"));
        // A restarted process of the same name gets its own log, so awaiting its output cannot match the old one.
        ChildProcess again = lab.host(SYM_A).startJava("print-env", JavaCommand.of(PrintEnvironment.class, "again"));
        again.awaitOutput("^args=again$", Duration.ofSeconds(60));
        assertThat(again.log()).isEqualTo(lab.host(SYM_A).dir().resolve("print-env-2.log"));
        assertThat(again.output()).doesNotContain("args=\n");
    }

    @Test
    void cuttingAnUplinkTakesTheNodeAndEverythingBehindItOffline() {
        LabHost easyA = lab.host(EASY_A);
        String service = lab.host(SERVICE).address();
        easyA.cutUplink();
        assertThat(easyA.isUplinkUp()).isFalse();
        assertThat(easyA.defaultRouteAddress()).as("address and route stay").contains(easyA.address());
        assertThat(easyA.canPing(service, Duration.ofSeconds(1))).isFalse();
        easyA.restoreUplink();
        assertThat(easyA.canPing(service, Duration.ofSeconds(3))).isTrue();

        NatGateway cgn = lab.gateway(CGN);
        cgn.cutUplink();
        assertThat(lab.host(DBL_A).canPing(service, Duration.ofSeconds(1))).isFalse();
        assertThat(lab.host(DBL_A).canPing(lab.gateway(HOME).lanAddress(), Duration.ofSeconds(2)))
                .isTrue();
        cgn.restoreUplink();
        assertThat(lab.host(DBL_A).canPing(service, Duration.ofSeconds(3))).isTrue();
    }

    @Test
    void aPublicHostCanGetASecondAddressAndRefuseATcpPort() {
        LabHost service = lab.host(SERVICE);
        LabHost pubA = lab.host(PUB_A);
        String second = service.addAddress();
        assertThat(second).isEqualTo("203.0.113.11");
        assertThat(service.addresses()).containsExactly("203.0.113.10/24", "203.0.113.11/24");
        assertThat(pubA.canPing(second, Duration.ofSeconds(2))).isTrue();

        service.startTransferServer(8443);
        assertThat(pubA.transfer(second, 8443, 4096, Duration.ofSeconds(20)).ok())
                .isTrue();
        service.blockInboundTcp(8443);
        TransferResult refused = pubA.transfer(second, 8443, 4096, Duration.ofSeconds(1));
        assertThat(refused.ok()).isFalse();
        assertThat(refused.output()).contains("Connection refused");
        service.unblockInboundTcp(8443);
        assertThat(pubA.transfer(service.address(), 8443, 4096, Duration.ofSeconds(20))
                        .ok())
                .isTrue();
    }

    @Test
    void resetUndoesWhatAScenarioChanged() {
        LabHost easyA = lab.host(EASY_A);
        NatGateway easy1 = lab.gateway(EASY1);
        NatGateway easy2 = lab.gateway(EASY2);
        ChildProcess sleeper = lab.host(PUB_B).spawn("sleeper", List.of("sleep", "600"));
        easy1.setMapping(NatMapping.symmetric().withPorts(30000, 30100));
        easy1.setEgress(Egress.NO_UDP);
        easyA.cutUplink();
        easyA.blockUdp();
        easyA.exec("ip", "tuntap", "add", "dev", "scenario0", "mode", "tun"); // persistent, survives its creator
        easyA.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        easyA.addHostsEntry("203.0.113.99", "scenario.test");
        easy2.renumber();
        lab.host(SERVICE).addAddress();
        lab.host(SERVICE).blockInboundTcp(443);
        String builtHosts = lab.host(EASY_B).hostsFileContent();

        lab.reset();

        assertThat(sleeper.isAlive()).isFalse();
        assertThat(lab.host(PUB_B).processes()).isEmpty();
        assertThat(easy1.mapping()).isEqualTo(NatMapping.easy());
        assertThat(easy1.egress()).isEqualTo(Egress.OPEN);
        assertThat(easy1.netns().exec("nft", "list", "ruleset").stdout())
                .contains("oifname \"wan\" masquerade")
                .doesNotContain("fully-random", "30000");
        assertThat(easyA.isUplinkUp()).isTrue();
        assertThat(easyA.isUdpBlocked()).isFalse();
        assertThat(easyA.netns().exec("nft", "list", "ruleset").stdout()).isBlank();
        assertThat(easyA.links()).containsExactly("lo", "eth0");
        assertThat(easyA.netns()
                        .exec("sysctl", "-n", "net.ipv4.ip_forward")
                        .stdout()
                        .strip())
                .isEqualTo("0");
        assertThat(easyA.hostsFileContent()).doesNotContain("scenario.test");
        assertThat(lab.host(EASY_B).hostsFileContent()).isEqualTo(builtHosts);
        assertThat(lab.host(SERVICE).addresses()).containsExactly("203.0.113.10/24");
        assertThat(lab.host(SERVICE).blockedInboundTcpPorts()).isEmpty();
        assertThat(easy2.wanAddress()).isEqualTo("198.51.100.12");
        assertThat(easy2.addresses()).contains("198.51.100.12/24").hasSize(2);
        assertThat(easyA.canPing(lab.host(SERVICE).address(), Duration.ofSeconds(3)))
                .isTrue();
        assertThat(lab.host(EASY_B).canPing(lab.host(SERVICE).address(), Duration.ofSeconds(3)))
                .isTrue();
    }

    @Test
    void aCustomLabAllocatesAddressesAndCloseRemovesEverything(@TempDir Path tmp) {
        NatLab small = NatLab.builder(tmp)
                .publicHost("srv")
                .gateway("home", NatMapping.easy())
                .gateway(GatewaySpec.of("inner", NatMapping.symmetric()).behind("home"))
                .hostBehind("laptop", "inner")
                .hostBehind("phone", "home")
                .build();
        List<String> namespaces = small.nodes().stream().map(LabNode::namespace).toList();
        ChildProcess sleeper;
        try (small) {
            assertThat(small.host("srv").address()).isEqualTo("203.0.113.10");
            assertThat(small.gateway("home").wanAddress()).isEqualTo("198.51.100.10");
            assertThat(small.gateway("home").lanSubnet()).isEqualTo("192.168.10.0/24");
            assertThat(small.gateway("inner").wanAddress()).isEqualTo("192.168.10.10");
            assertThat(small.gateway("inner").lanSubnet()).isEqualTo("192.168.11.0/24");
            assertThat(small.host("laptop").address()).isEqualTo("192.168.11.10");
            assertThat(small.host("phone").address()).isEqualTo("192.168.10.11");
            assertThat(small.host("laptop").publicAddress()).isEqualTo("198.51.100.10");
            assertThat(small.host("laptop").canPing("203.0.113.10", Duration.ofSeconds(3)))
                    .isTrue();
            sleeper = small.host("laptop").spawn("sleeper", List.of("sleep", "600"));
            assertThat(sleeper.isAlive()).isTrue();
        }
        assertThat(small.isClosed()).isTrue();
        assertThat(sleeper.isAlive()).isFalse();
        String list = Cmd.run("ip", "netns", "list").stdout();
        for (String ns : namespaces) {
            assertThat(list).doesNotContain(ns);
            assertThat(EtcOverlay.NETNS_ETC.resolve(ns)).doesNotExist();
        }
        small.close(); // idempotent
    }

    @Test
    void aBuildThatFailsHalfwayRemovesWhatItCreated(@TempDir Path tmp) {
        String before = Cmd.run("ip", "netns", "list").stdout();
        // The router's own address is taken: found while wiring, after the namespaces exist.
        assertThatThrownBy(() -> NatLab.builder(tmp)
                        .publicHost("ok")
                        .publicHost("clash", "203.0.113.1")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("203.0.113.1");
        String after = Cmd.run("ip", "netns", "list").stdout();
        assertThat(after.lines()
                        .filter(l -> l.contains("-ok-") || l.contains("-clash-"))
                        .toList())
                .as("namespaces left behind")
                .isSubsetOf(before.lines().toList());
    }
}
