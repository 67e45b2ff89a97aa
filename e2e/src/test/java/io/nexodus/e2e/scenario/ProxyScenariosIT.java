package io.nexodus.e2e.scenario;

import static io.nexodus.e2e.scenario.ScenarioLab.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.SecurityRule;
import io.nexodus.api.model.UpdateSecurityGroup;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.e2e.lab.JavaCommand;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.TransferResult;
import io.nexodus.e2e.lab.TransferTool;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code nexd proxy} in network namespaces with the real service: {@code pub-a} runs nexd in proxy mode without any
 * capability (no TUN, no interface, no routes), {@code pub-b} an ordinary nexd with its kernel TUN. A TCP server on
 * {@code pub-a} listens on 127.0.0.1 only; {@code pub-b} reaches it at the proxy's tunnel address through an ingress
 * rule given as a flag. A client on {@code pub-a} reaches {@code pub-b}'s server at 127.0.0.1 through an egress rule
 * added at run time with {@code nexctl nexd proxy add}, which survives a restart of the proxy. Every transfer is 4 MiB
 * with a SHA-256 check; a UDP echo answers through an ingress and an egress rule too. Finally the VPC's security group gets an inbound rule for one ingress port only: the proxy's
 * built-in filter lets that one through and drops a second one. A small lab (three public hosts) keeps the class short.
 */
@RequiresNetns(commands = {"nft", "unshare", "setpriv"})
class ProxyScenariosIT {
    private static final Path LOGS = Path.of("target", "natlab", ProxyScenariosIT.class.getSimpleName());
    private static final String[] FAST = {"--peer-up-timeout", "4s", "--peer-down-timeout", "4s", "--keepalive", "1s"};
    private static final long BYTES = 4L << 20;
    private static final int LOCAL_SERVER = 7500;
    private static final int PEER_SERVER = 7501;
    private static final int INGRESS = 7600;
    private static final int EGRESS = 7700;

    private static NatLab lab;
    private static LabService service;
    private static final List<AutoCloseable> started = new ArrayList<>();

    @BeforeAll
    static void startLabAndService() {
        lab = NatLab.builder(LOGS)
                .publicHost("service", "203.0.113.10")
                .publicHost("pub-a", "203.0.113.40")
                .publicHost("pub-b", "203.0.113.41")
                .build();
        try {
            service = LabService.start(lab, lab.host("service"));
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    @AfterAll
    static void closeAll() throws Exception {
        for (AutoCloseable c : started.reversed()) {
            c.close();
        }
        if (service != null) {
            service.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private static <T extends AutoCloseable> T keep(T c) {
        started.add(c);
        return c;
    }

    /** The VPC of the test (its id is also its default security group's). */
    private static UUID vpc;

    private static String newVpc(String name) {
        var admin = service.admin();
        Vpc created = admin.vpcs().create(new AddVpc(admin.users().me().id(), name, false, null, null));
        vpc = created.id();
        return admin.regKeys()
                .create(new AddRegKey(created.id(), null, name, false, null, null, null))
                .bearerToken();
    }

    private static final int LOCAL_UDP = 7510;
    private static final int PEER_UDP = 7511;
    private static final int UDP_INGRESS = 7610;
    private static final int UDP_EGRESS = 7710;

    /** A UDP server on argv[1]:argv[2] that answers every datagram with its bytes reversed. */
    private static final String UDP_ECHO = """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((sys.argv[1], int(sys.argv[2])))
            print("listening", flush=True)
            while True:
                d, a = s.recvfrom(65535)
                s.sendto(d[::-1], a)
            """;

    /** Sends argv[3] to argv[1]:argv[2] until an answer comes (up to 10 tries, 1 s each); prints the answer. */
    private static final String UDP_ASK = """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(1)
            for _ in range(10):
                s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
                try:
                    print(s.recvfrom(65535)[0].decode())
                    sys.exit(0)
                except socket.timeout:
                    pass
            sys.exit(1)
            """;

    private static String udpRoundTrip(LabHost from, String address, int port, String text) {
        Cmd.Result r =
                from.tryExec(Duration.ofSeconds(15), "python3", "-c", UDP_ASK, address, Integer.toString(port), text);
        return r.stdout().strip();
    }

    private static void assertTransfer(LabHost from, String address, int port, String what) {
        TransferResult r = from.transfer(address, port, BYTES, Duration.ofSeconds(45));
        assertThat(r.ok()).as(what + ": " + r.output()).isTrue();
    }

    @Test
    void aTunPeerAndTheProxyHostReachEachOthersLocalServicesThroughTheProxy() throws Exception {
        String rk = newVpc("proxy");
        LabHost a = lab.host("pub-a");
        LabHost b = lab.host("pub-b");
        ChildProcess local = keep(a.startJava(
                "transfer-local-" + LOCAL_SERVER,
                JavaCommand.of(
                        TransferTool.class, "serve", "--port", Integer.toString(LOCAL_SERVER), "--bind", "127.0.0.1")));
        local.awaitOutput("^listening on ", Duration.ofSeconds(30));
        keep(b.startTransferServer(PEER_SERVER));

        LabAgent peer = keep(LabAgent.on(b, service, rk).args(FAST).start());
        LabAgent proxy = keep(LabAgent.on(a, service, rk)
                .name("nexd-proxy")
                .withoutCapabilities()
                .args(FAST)
                .args("proxy", "--ingress", "tcp:" + INGRESS + ":127.0.0.1:" + LOCAL_SERVER)
                .start());
        peer.awaitRunning(ScenarioLab.START);
        proxy.awaitRunning(ScenarioLab.START);

        // no privileges, no interface: the process has no capability and the host only its own links
        String status =
                Files.readString(Path.of("/proc", Long.toString(proxy.process().pid()), "status"));
        assertThat(status).contains("CapEff:\t0000000000000000").contains("CapBnd:\t0000000000000000");
        assertThat(a.links()).doesNotContain(proxy.interfaceName());
        assertThat(proxy.process().output()).contains("on a userspace network stack");

        awaitTrue(Duration.ofSeconds(30), peer + " has a healthy tunnel to the proxy", () -> {
            PeerStatus s = peer.peer(proxy).orElse(null);
            return s != null && s.healthy();
        });

        // ingress (a flag): pub-b -> proxy's tunnel address -> pub-a's 127.0.0.1 server
        assertTransfer(b, proxy.tunnelIp(), INGRESS, "ingress from the TUN peer");

        // egress (added at run time): pub-a's 127.0.0.1 -> pub-b's tunnel address
        String egress = "tcp:" + EGRESS + ":" + peer.tunnelIp() + ":" + PEER_SERVER;
        Cmd.Result added = proxy.nexctl("proxy", "add", "--egress", egress);
        assertThat(added.ok()).as(added.stdout() + added.stderr()).isTrue();
        assertThat(added.stdout()).contains("Added egress proxy rule: " + egress);
        assertTransfer(a, "127.0.0.1", EGRESS, "egress from the proxy host");

        // UDP both ways: an echo server answers each datagram reversed, so a reply proves the round trip
        keep(a.spawn("udp-echo-local", List.of("python3", "-c", UDP_ECHO, "127.0.0.1", Integer.toString(LOCAL_UDP))))
                .awaitOutput("^listening", Duration.ofSeconds(30));
        keep(b.spawn("udp-echo-peer", List.of("python3", "-c", UDP_ECHO, "0.0.0.0", Integer.toString(PEER_UDP))))
                .awaitOutput("^listening", Duration.ofSeconds(30));
        String udpIngress = "udp:" + UDP_INGRESS + ":127.0.0.1:" + LOCAL_UDP;
        String udpEgress = "udp:" + UDP_EGRESS + ":" + peer.tunnelIp() + ":" + PEER_UDP;
        Cmd.Result addedIn = proxy.nexctl("proxy", "add", "--ingress", udpIngress);
        assertThat(addedIn.ok()).as(addedIn.stdout() + addedIn.stderr()).isTrue();
        Cmd.Result addedOut = proxy.nexctl("proxy", "add", "--egress", udpEgress);
        assertThat(addedOut.ok()).as(addedOut.stdout() + addedOut.stderr()).isTrue();
        assertThat(udpRoundTrip(b, proxy.tunnelIp(), UDP_INGRESS, "ingress-datagram"))
                .as("UDP ingress from the TUN peer")
                .isEqualTo("margatad-ssergni");
        assertThat(udpRoundTrip(a, "127.0.0.1", UDP_EGRESS, "egress-datagram"))
                .as("UDP egress from the proxy host")
                .isEqualTo("margatad-sserge");

        Cmd.Result list = proxy.nexctl("proxy", "list");
        assertThat(list.stdout())
                .contains("--ingress tcp:" + INGRESS + ":127.0.0.1:" + LOCAL_SERVER)
                .contains("--egress " + egress);
        assertThat(proxy.ctl().status().message())
                .contains("proxy mode (userspace network stack")
                .contains("--ingress tcp:" + INGRESS);
        // a bad rule is refused with the reason
        Cmd.Result bad = proxy.nexctl("proxy", "add", "--egress", "tcp:7701:peer-b:80");
        assertThat(bad.ok()).isFalse();
        assertThat(bad.stderr()).contains("is not an IP address");

        // a restart keeps the rule added at run time (state directory), and both directions work again
        proxy.restart();
        proxy.awaitRunning(ScenarioLab.START);
        assertThat(proxy.ctl().proxyList()).contains("--egress " + egress);
        assertTransfer(a, "127.0.0.1", EGRESS, "egress after a restart");
        assertTransfer(b, proxy.tunnelIp(), INGRESS, "ingress after a restart");

        // the security group still filters what reaches the stack: allow inbound TCP only to the first ingress port
        Cmd.Result second =
                proxy.nexctl("proxy", "add", "--ingress", "tcp:" + (INGRESS + 1) + ":127.0.0.1:" + LOCAL_SERVER);
        assertThat(second.ok()).as(second.stdout() + second.stderr()).isTrue();
        assertTransfer(b, proxy.tunnelIp(), INGRESS + 1, "the second ingress rule before the group has rules");
        service.admin()
                .securityGroups()
                .update(
                        vpc,
                        new UpdateSecurityGroup(
                                null,
                                List.of(new SecurityRule("tcp", INGRESS, INGRESS, List.of("100.64.0.0/10"))),
                                List.of()));
        awaitTrue(
                Duration.ofSeconds(30),
                "the proxy enforces the new rules",
                () -> proxy.ctl().status().message().contains("inbound_rules[0] tcp " + INGRESS));
        assertTransfer(b, proxy.tunnelIp(), INGRESS, "ingress to the allowed port");
        TransferResult blocked = b.transfer(proxy.tunnelIp(), INGRESS + 1, 1 << 20, Duration.ofSeconds(6));
        assertThat(blocked.ok())
                .as("the group has no rule for port " + (INGRESS + 1))
                .isFalse();
        assertThat(proxy.ctl().status().message()).containsPattern("[1-9][0-9]* dropped \\(no rule [1-9]");
    }
}
