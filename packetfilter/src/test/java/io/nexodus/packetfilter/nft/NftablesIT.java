package io.nexodus.packetfilter.nft;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.packetfilter.RuleSet;
import io.nexodus.packetfilter.RuleSpec;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.Netns;
import io.nexodus.testkit.RequiresNetns;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered script in a real kernel: two namespaces joined by a veth whose host end is named like a tunnel
 * interface ({@code wg0}); the host loads the script with {@code nft -c -f} (check only) and then for real, and TCP
 * connects and pings across the link show that what the rules allow passes and everything else is dropped, in both
 * directions, that a second script replaces the first in one step, and that removing the table opens everything.
 */
@RequiresNetns(commands = {"nft", "python3", "ping"})
class NftablesIT {
    static final String HOST = "10.77.0.1";
    static final String PEER = "10.77.0.2";

    @TempDir
    Path dir;

    Netns host;
    Netns peer;
    Path listener;

    @BeforeEach
    void setUp() throws IOException {
        host = Netns.create("sg-host");
        peer = Netns.create("sg-peer");
        Netns.link(host, "wg0", HOST + "/24", peer, "wg0peer", PEER + "/24");
        listener = dir.resolve("tcp-listener.py");
        try (InputStream in = NftablesIT.class.getResourceAsStream("/tcp-listener.py")) {
            Files.write(listener, in.readAllBytes());
        }
        host.spawn(dir.resolve("host-listener.log"), List.of("python3", listener.toString(), "2222", "2223"))
                .awaitOutput("listening", Duration.ofSeconds(10));
        peer.spawn(dir.resolve("peer-listener.log"), List.of("python3", listener.toString(), "3333", "3334"))
                .awaitOutput("listening", Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() {
        if (host != null) {
            host.close();
        }
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void theKernelEnforcesTheRenderedRulesAndSwapsThemAtomically() throws Exception {
        // every form the renderer knows is valid nftables syntax
        load(host, NftablesScriptTest.everything(), true);

        RuleSet sshLike = RuleSet.parse(List.of(new RuleSpec("tcp", 2222, 2222, List.of("10.77.0.0/24"))), List.of());
        load(host, sshLike, true);
        load(host, sshLike, false);
        assertThat(connects(peer, HOST, 2222)).as("allowed inbound port").isTrue();
        assertThat(connects(peer, HOST, 2223)).as("another inbound port").isFalse();
        assertThat(pings(peer, HOST)).as("inbound ping").isFalse();
        assertThat(pings(host, PEER))
                .as("outbound ping and its reply (outbound has no rules)")
                .isTrue();
        assertThat(connects(host, PEER, 3333))
                .as("outbound connect and its replies")
                .isTrue();
        Map<String, Long> counters = counters();
        assertThat(counters.get("inbound_rules[0]")).isEqualTo(1L);
        assertThat(counters.get("inbound_rules: no rule matched")).isGreaterThanOrEqualTo(2L);
        assertThat(counters.get("inbound_rules: established,related")).isPositive();

        // one transaction replaces the whole table: icmp in, only tcp/3333 to the peer out
        RuleSet swapped = RuleSet.parse(
                List.of(new RuleSpec("icmp", 0, 0, List.of())),
                List.of(new RuleSpec("tcp", 3333, 3333, List.of(PEER))));
        load(host, swapped, false);
        String table =
                host.exec("nft", "list", "table", "inet", NftablesScript.TABLE).stdout();
        assertThat(table).doesNotContain("2222").contains("tcp dport 3333");
        assertThat(pings(peer, HOST)).as("inbound ping, now allowed").isTrue();
        assertThat(connects(peer, HOST, 2222)).as("the old inbound port").isFalse();
        assertThat(connects(host, PEER, 3333)).as("allowed outbound port").isTrue();
        assertThat(connects(host, PEER, 3334)).as("another outbound port").isFalse();
        assertThat(pings(host, PEER)).as("outbound ping").isFalse();

        host.exec("sh", "-c", "nft -f - <<'EOF'\n" + NftablesScript.remove() + "EOF\n");
        assertThat(host.tryExec("nft", "list", "table", "inet", NftablesScript.TABLE)
                        .ok())
                .isFalse();
        assertThat(connects(peer, HOST, 2223)).as("no table: everything passes").isTrue();
        host.exec("sh", "-c", "nft -f - <<'EOF'\n" + NftablesScript.remove() + "EOF\n"); // removing twice is fine
    }

    private void load(Netns ns, RuleSet rules, boolean checkOnly) throws IOException {
        Path script = Files.writeString(dir.resolve("rules.nft"), NftablesScript.render(rules, "wg0"));
        Cmd.Result r = ns.tryExec("nft", checkOnly ? "-c" : "-e", "-f", script.toString());
        assertThat(r.ok())
                .as("nft %s\n%s\n%s", checkOnly ? "-c" : "", r.stderr(), Files.readString(script))
                .isTrue();
    }

    private Map<String, Long> counters() {
        return NftCounters.parse(
                host.exec("nft", "list", "table", "inet", NftablesScript.TABLE).stdout());
    }

    private boolean connects(Netns from, String address, int port) {
        Cmd.Result r = from.tryExec(
                "python3",
                "-c",
                "import socket,sys; s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1.5);"
                        + " sys.exit(0 if s.recv(3) == b'ok\\n' else 1)",
                address,
                String.valueOf(port));
        return r.ok();
    }

    private static boolean pings(Netns from, String address) {
        return from.tryExec("ping", "-c", "1", "-W", "1", address).ok();
    }
}
