package io.nexodus.e2e.scenario;

import static io.nexodus.e2e.lab.StandardLab.*;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitRunning;
import static io.nexodus.e2e.scenario.ScenarioLab.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.api.nexdctl.PeeringMethod;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.TransferResult;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.RequiresNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exit nodes on the standard NAT lab: {@code lan-a} (behind the easy NAT {@code shared}, 198.51.100.31) runs
 * {@code nexd router --exit-node}; {@code easy-a} (behind {@code easy1}, 198.51.100.11) uses it. A "public" server on
 * {@code pub-a} (the checksumming TCP sink, which logs the source address of every connection) sees which NAT a
 * connection came through: the exit node's after {@code exit-node enable} and after a restart of the client (the choice
 * is stored), the client's own after {@code disable}. When the exit node dies the client fails closed (its internet
 * traffic is dropped, the routing stays, the agent keeps running), and {@code disable} leaves the routing exactly as it
 * was.
 */
@RequiresNetns(commands = {"nft", "conntrack", "unshare", "wg", "ping"})
class ExitNodeScenariosIT {
    private static final Path LOGS = Path.of("target", "natlab", ExitNodeScenariosIT.class.getSimpleName());
    private static final String[] FAST = {"--peer-up-timeout", "4s", "--peer-down-timeout", "4s", "--keepalive", "1s"};
    private static final long SMALL = 64 * 1024;
    private static ScenarioLab env;
    private static NatLab lab;

    @BeforeAll
    static void startLabAndService() {
        env = ScenarioLab.start(LOGS, 7500);
        lab = env.lab;
    }

    @AfterEach
    void stopAgents() {
        // the routing lives outside the interface: never leave it behind for the next scenario, also on failure
        LabHost client = lab.host(EASY_A);
        client.tryExec(Duration.ofSeconds(5), "ip", "-4", "rule", "del", "pref", "5270");
        client.tryExec(Duration.ofSeconds(5), "ip", "-4", "rule", "del", "pref", "5271");
        client.tryExec(Duration.ofSeconds(5), "ip", "-4", "route", "flush", "table", "51820");
        env.reset();
    }

    @AfterAll
    static void closeAll() {
        if (env != null) {
            env.close();
        }
    }

    /** The client host's IPv4 rules and every routing table, as ip prints them. */
    private static String routing(LabHost h) {
        return h.exec("ip", "-4", "rule", "show").stdout() + "--\n"
                + h.exec("ip", "-4", "route", "show", "table", "all").stdout();
    }

    private static TransferResult send(LabAgent from, String to, int port, Duration timeout) {
        return from.host().transfer(to, port, SMALL, timeout);
    }

    /** Sends to the echo server; it must log one more connection from {@code source} (a NAT's public address). */
    private static void assertSeenFrom(ChildProcess sink, LabAgent from, String to, int port, String source) {
        long seen = received(sink, source);
        TransferResult r = send(from, to, port, Duration.ofSeconds(15));
        assertThat(r.ok()).as(from + " -> " + to + ": " + r.output()).isTrue();
        awaitTrue(
                Duration.ofSeconds(5),
                "the echo server logs a connection from " + source,
                () -> received(sink, source) == seen + 1);
    }

    private static long received(ChildProcess sink, String source) {
        return Pattern.compile("^received \\d+ bytes .* from /" + Pattern.quote(source + ":"), Pattern.MULTILINE)
                .matcher(sink.output())
                .results()
                .count();
    }

    private static String ok(Cmd.Result r) {
        assertThat(r.ok()).as(r.stdout() + r.stderr()).isTrue();
        return r.stdout();
    }

    @Test
    void aClientBehindNatUsesAnExitNodeOnAnotherSiteAndGetsItsRoutingBackExactly() throws Exception {
        String rk = env.newVpc("x1");
        LabHost pub = lab.host(PUB_A);
        int port = 7500;
        String echo = pub.address();
        ChildProcess sink = pub.startTransferServer(port);
        String[] exitArgs = new String[FAST.length + 2];
        System.arraycopy(FAST, 0, exitArgs, 0, FAST.length);
        exitArgs[FAST.length] = "router";
        exitArgs[FAST.length + 1] = "--exit-node";
        LabAgent exit = env.agent(LAN_A, rk, exitArgs);
        LabAgent client = env.agent(EASY_A, rk, FAST);
        awaitRunning(exit, client);
        awaitTrue(Duration.ofSeconds(30), client + " reaches the exit node directly", () -> {
            PeerStatus s = client.peer(exit).orElse(null);
            return s != null && PeeringMethod.REFLEXIVE.equals(s.method()) && s.healthy();
        });
        // a plain peer accepts no internet traffic from the exit node and routes none to it
        assertThat(client.peer(exit).orElseThrow().allowedIps()).doesNotContain("0.0.0.0/0");
        LabHost host = client.host();
        String before = routing(host);
        assertSeenFrom(sink, client, echo, port, lab.host(EASY_A).publicAddress());
        assertThat(ok(client.nexctl("exit-node", "list"))).contains(exit.publicKey());

        // enable: the echo server sees the exit node's NAT; the service is still reached directly
        long t0 = System.nanoTime();
        assertThat(ok(client.nexctl("exit-node", "enable", exit.publicKey()))).contains("using exit node");
        assertThat(client.peer(exit).orElseThrow().allowedIps()).contains("0.0.0.0/0");
        assertSeenFrom(sink, client, echo, port, lab.host(LAN_A).publicAddress());
        long enabledMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(host.exec("ip", "-4", "route", "get", echo).stdout()).contains("dev " + client.interfaceName());
        String toService = host.exec(
                        "ip", "-4", "route", "get", lab.host(SERVICE).address())
                .stdout();
        assertThat(toService).doesNotContain("dev " + client.interfaceName());
        assertThat(client.ctl().status().message()).contains("exit node: ").contains("goes through it");
        assertThat(lab.host(LAN_A)
                        .exec("nft", "list", "table", "inet", "nexodus-router")
                        .stdout())
                .containsPattern("counter packets [1-9]\\d* bytes \\d+ masquerade comment \"exit node\"");
        assertThat(Files.readString(client.stateDir().resolve("state.json"))).contains("\"exit-node\"");

        // the choice survives a restart; stopping took the routing down on the way
        client.restart();
        awaitRunning(client);
        assertSeenFrom(sink, client, echo, port, lab.host(LAN_A).publicAddress());

        // the exit node dies: fail closed (internet traffic dropped, not leaked through the client's own NAT)
        exit.process().kill();
        awaitTrue(
                Duration.ofSeconds(20),
                client + " says it fails closed",
                () -> client.ctl().status().message().contains("failing closed"));
        TransferResult dropped = send(client, echo, port, Duration.ofSeconds(3));
        assertThat(dropped.ok()).as(dropped.output()).isFalse();
        assertThat(host.exec("ip", "-4", "rule", "show").stdout()).contains("lookup 51820");
        assertThat(client.ctl().status().state()).isEqualTo("Running"); // the service is still reachable

        // disable: the routing is exactly as before, the echo server sees the client's own NAT again
        assertThat(ok(client.nexctl("exit-node", "disable"))).contains("routing restored");
        assertThat(routing(host)).isEqualTo(before);
        assertThat(Files.readString(client.stateDir().resolve("state.json"))).doesNotContain("\"exit-node\"");
        assertThat(received(sink, lab.host(EASY_A).publicAddress()))
                .isOne(); // nothing leaked through the client's own NAT while the exit node was in use or dead
        assertSeenFrom(sink, client, echo, port, lab.host(EASY_A).publicAddress());
        System.out.printf("exit node: enable to first connection through it %d ms%n", enabledMs);
    }

    /**
     * The client on wireguard-go (its own process, marked through UAPI's {@code fwmark}; STUN from a separate,
     * unmarked socket to the service's address, which bypasses the exit node): the same routing, the same result.
     */
    @Test
    void aWireGuardGoClientUsesTheExitNodeToo() {
        String rk = env.newVpc("x2");
        LabHost pub = lab.host(PUB_A);
        int port = 7501;
        ChildProcess sink = pub.startTransferServer(port);
        LabAgent exit =
                env.start(LabAgent.on(lab.host(LAN_A), service(), rk).args(FAST).args("router", "--exit-node"));
        LabAgent client = env.start(LabAgent.on(lab.host(EASY_A), service(), rk)
                .env("NEXD_USE_WIREGUARD_GO", "1")
                .args(FAST));
        awaitRunning(exit, client);
        awaitTrue(
                Duration.ofSeconds(30),
                client + " reaches the exit node",
                () -> client.peer(exit).map(PeerStatus::healthy).orElse(false));
        String before = routing(client.host());
        assertThat(ok(client.nexctl("exit-node", "enable"))).contains("using exit node"); // the VPC's only one
        assertThat(client.wgDump()).contains("0xca6c");
        assertSeenFrom(sink, client, pub.address(), port, lab.host(LAN_A).publicAddress());
        assertThat(ok(client.nexctl("exit-node", "disable"))).contains("routing restored");
        assertThat(routing(client.host())).isEqualTo(before);
        assertSeenFrom(sink, client, pub.address(), port, lab.host(EASY_A).publicAddress());
    }

    private static LabService service() {
        return env.service;
    }
}
