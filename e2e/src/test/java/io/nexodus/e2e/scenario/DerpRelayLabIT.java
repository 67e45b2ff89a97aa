package io.nexodus.e2e.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.e2e.lab.JavaCommand;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.e2e.lab.NatMapping;
import io.nexodus.e2e.lab.TransferResult;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.RequiresNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DERP relay scenarios (meshed relays, hostile clients) with real relay processes ({@code nexd relayderp}, started through its own main
 * class, TLS with a self-signed CA the two relays share):
 * <ul>
 *   <li>4: two meshed relays (one mesh key, each {@code --mesh-with} the other) on two public hosts; two peers behind
 *       different NATs, each homed on a different relay, run wireguard-go over a loopback UDP↔DERP forwarder
 *       ({@link DerpLabForwarder}) and pass a checksummed TCP transfer through the tunnel; the relays' own counters
 *       ({@code /debug/varz}) show the packets crossed the mesh (ForwardPacket out on one, in on the other).</li>
 *   <li>5: a hostile client ({@link HostileDerpClient}) attacks one relay — a ForwardPacket claiming another client's
 *       key, an oversized frame, garbage frames, a ClientInfo with a bad box, garbage HTTP, garbage TLS — while two
 *       good clients ({@link DerpTrafficPair}) keep exchanging packets; every attack connection is closed and counted
 *       by reason, no forged packet arrives, and the good traffic never stalls.</li>
 * </ul>
 */
@RequiresNetns(commands = {"nft", "conntrack", "unshare", "wg", "wireguard-go", "python3"})
class DerpRelayLabIT {
    private static final Path LOGS = Path.of("target", "natlab", DerpRelayLabIT.class.getSimpleName());
    private static final Duration START = Duration.ofSeconds(60);
    private static final String RELAY_MAIN = "io.nexodus.nexd.relayderp.RelayDerpCommand";
    private static final Pattern VARZ_LINE = Pattern.compile("^([a-z_]+(?:\\{[^}]*})?) (-?\\d+)$", Pattern.MULTILINE);

    private static NatLab lab;
    private static Path ca;
    private static final List<String> sockets = new ArrayList<>();

    @BeforeAll
    static void startLabAndRelays() throws IOException {
        lab = NatLab.builder(LOGS)
                .publicHost("derp1", "203.0.113.30")
                .publicHost("derp2", "203.0.113.31")
                .gateway("nat-a", NatMapping.easy())
                .gateway("nat-b", NatMapping.symmetric())
                .gateway("nat-m", NatMapping.symmetric())
                .hostBehind("peer-a", "nat-a")
                .hostBehind("peer-b", "nat-b")
                .hostBehind("mallory", "nat-m")
                .build();
        lab.addHostsEntryEverywhere("203.0.113.30", "derp1.lab");
        lab.addHostsEntryEverywhere("203.0.113.31", "derp2.lab");
        Path certs = lab.workDir().resolve("derp-certs");
        String meshKey = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
        // derp1 first: it creates the CA in the shared cert dir, derp2 then issues its certificate from the same CA,
        // so each relay trusts the other's certificate when it meshes
        startRelay("derp1", "derp2.lab", certs, meshKey);
        startRelay("derp2", "derp1.lab", certs, meshKey);
        ca = certs.resolve("ca.crt");
    }

    private static void startRelay(String node, String meshWith, Path certs, String meshKey) {
        LabHost h = lab.host(node);
        ChildProcess p = h.startJava(
                "relayderp",
                JavaCommand.of(
                                RELAY_MAIN,
                                "--hostname",
                                node + ".lab",
                                "--addr",
                                ":443",
                                "--certmode",
                                "self-signed",
                                "--certdir",
                                certs.toAbsolutePath().toString(),
                                "--state-dir",
                                h.dir().resolve("state").toAbsolutePath().toString(),
                                "--no-stun",
                                "--mesh-with",
                                meshWith + ":443")
                        .withEnv("NEXD_DERP_MESH_KEY", meshKey));
        p.awaitOutput("listening on tcp", START);
    }

    @AfterAll
    static void closeLab() {
        if (lab != null) {
            lab.close();
        }
        for (String s : sockets) {
            try {
                Files.deleteIfExists(Path.of(s)); // wireguard-go removes it on SIGTERM; this is for a SIGKILL
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }

    /** Scenario 4. */
    @Test
    void peersHomedOnMeshedRelaysRunWireGuardThroughTheMesh() throws Exception {
        LabHost a = lab.host("peer-a");
        LabHost b = lab.host("peer-b");
        NodePrivateKey ka = NodePrivateKey.generate();
        NodePrivateKey kb = NodePrivateKey.generate();
        Map<String, Long> d1Before = varz("derp1");
        Map<String, Long> d2Before = varz("derp2");
        String ifa = startWireGuardGo(a, ka, "10.77.0.1/24");
        String ifb = startWireGuardGo(b, kb, "10.77.0.2/24");
        // each side's forwarder is homed on a different relay: a on derp1, b on derp2
        ChildProcess fa = a.startJava(
                "forwarder",
                JavaCommand.of(
                        DerpLabForwarder.class,
                        "https://derp1.lab:443/derp",
                        ca.toString(),
                        keyFile(a, ka).toString(),
                        kb.publicKey().toBase64(),
                        "40001",
                        "51820"));
        ChildProcess fb = b.startJava(
                "forwarder",
                JavaCommand.of(
                        DerpLabForwarder.class,
                        "https://derp2.lab:443/derp",
                        ca.toString(),
                        keyFile(b, kb).toString(),
                        ka.publicKey().toBase64(),
                        "40001",
                        "51820"));
        fa.awaitOutput("^forwarding udp", START);
        fb.awaitOutput("^forwarding udp", START);
        // each relay learns the other's clients through its mesh watch (PeerPresent)
        awaitVarz("derp1", "derp_clients_remote", 1);
        awaitVarz("derp2", "derp_clients_remote", 1);
        a.exec(
                "wg",
                "set",
                ifa,
                "peer",
                kb.publicKey().toBase64(),
                "allowed-ips",
                "10.77.0.2/32",
                "endpoint",
                "127.0.0.1:40001",
                "persistent-keepalive",
                "5");
        b.exec(
                "wg",
                "set",
                ifb,
                "peer",
                ka.publicKey().toBase64(),
                "allowed-ips",
                "10.77.0.1/32",
                "endpoint",
                "127.0.0.1:40001",
                "persistent-keepalive",
                "5");

        // WireGuard's handshake first (across the mesh; wireguard-go retries every 5 s), so the transfers measure the
        // data path; when it never completes, the relays' counters say where the packets stopped
        awaitHandshake(a, ifa, kb, Duration.ofSeconds(45));
        b.startTransferServer(7001);
        TransferResult ab = a.transfer("10.77.0.2", 7001, 8L << 20, Duration.ofSeconds(30));
        assertThat(ab.ok()).as(ab.output()).isTrue();
        a.startTransferServer(7002);
        TransferResult ba = b.transfer("10.77.0.1", 7002, 2L << 20, Duration.ofSeconds(30));
        assertThat(ba.ok()).as(ba.output()).isTrue();

        String dump = a.exec("wg", "show", ifa, "dump").stdout();
        WgPeer peer = WgPeer.parseDump(dump).get(kb.publicKey().toBase64());
        assertThat(peer.lastHandshake()).as(dump).isNotNull();
        assertThat(peer.endpoint()).isEqualTo("127.0.0.1:40001");
        assertThat(peer.rxBytes()).isGreaterThan(2L << 20);
        // the packets crossed the mesh: derp1 forwarded a's packets to derp2 and received b's from it, and vice versa
        Map<String, Long> d1 = varz("derp1");
        Map<String, Long> d2 = varz("derp2");
        long bulk = 4000; // 8 MiB in ~1400-byte WireGuard packets is ~6000 packets one way
        assertThat(delta(d1Before, d1, "derp_packets_forwarded_out"))
                .as("derp1 out")
                .isGreaterThan(bulk);
        assertThat(delta(d2Before, d2, "derp_packets_forwarded_in"))
                .as("derp2 in")
                .isGreaterThan(bulk);
        assertThat(delta(d2Before, d2, "derp_packets_forwarded_out"))
                .as("derp2 out")
                .isGreaterThan(bulk / 4);
        assertThat(delta(d1Before, d1, "derp_packets_forwarded_in"))
                .as("derp1 in")
                .isGreaterThan(bulk / 4);
        assertThat(d1.get("derp_watchers")).isEqualTo(1); // derp2's mesh watch
        assertThat(d1.get("derp_packets_dropped{reason=\"forward_failed\"}")).isZero();
    }

    /** Scenario 5. */
    @Test
    void hostileClientIsCutOffCountedAndGoodClientsKeepFlowing() throws Exception {
        Map<String, Long> before = varz("derp1");
        LabHost good = lab.host("peer-a");
        ChildProcess pair = good.startJava(
                "pair", JavaCommand.of(DerpTrafficPair.class, "https://derp1.lab:443/derp", ca.toString(), "8", "100"));
        pair.awaitOutput("^KEYS ", START);
        Matcher keys =
                Pattern.compile("KEYS a=(\\p{XDigit}{64}) b=(\\p{XDigit}{64})").matcher(pair.output());
        assertThat(keys.find()).isTrue();

        Cmd.Result attack = lab.host("mallory")
                .runJava(
                        Duration.ofSeconds(60),
                        JavaCommand.of(
                                HostileDerpClient.class,
                                "203.0.113.30",
                                "443",
                                "derp1.lab",
                                ca.toString(),
                                keys.group(1),
                                keys.group(2)));
        String attacks = attack.stdout() + attack.stderr();
        assertThat(attack.exitCode()).as(attacks).isZero();
        for (String name : List.of(
                "forged-forward-packet",
                "oversized-frame",
                "garbage-frames",
                "bad-client-info-box",
                "garbage-http",
                "garbage-tls")) {
            assertThat(attacks).as(attacks).contains("ATTACK " + name + " closed=true");
        }

        pair.awaitOutput("^RESULT ", Duration.ofSeconds(30));
        Matcher r = Pattern.compile("RESULT sent=(\\d+) received=(\\d+) maxGapMs=(\\d+) forged=(\\d+)")
                .matcher(pair.output());
        assertThat(r.find()).as(pair.output()).isTrue();
        long sent = Long.parseLong(r.group(1));
        long received = Long.parseLong(r.group(2));
        assertThat(sent).isGreaterThan(1000);
        assertThat(received).as(r.group()).isGreaterThanOrEqualTo(sent - 4); // TCP all the way: only a rounding edge
        assertThat(Long.parseLong(r.group(3)))
                .as("longest stall of the good clients, ms")
                .isLessThan(1500);
        assertThat(Long.parseLong(r.group(4)))
                .as("packets with a forged source delivered")
                .isZero();

        Map<String, Long> after = varz("derp1");
        assertThat(delta(before, after, "derp_connections_closed{reason=\"insufficient_permissions\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "derp_connections_closed{reason=\"handshake_auth_failed\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "derp_connections_closed{reason=\"http_bad_request\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "derp_connections_closed{reason=\"tls_handshake_failed\"}"))
                .isEqualTo(1);
        // the oversized SendPacket, and the garbage where ClientInfo belongs (random type and length)
        long badFrames = delta(before, after, "derp_connections_closed{reason=\"oversized_frame\"}")
                + delta(before, after, "derp_connections_closed{reason=\"malformed_frame\"}")
                + delta(before, after, "derp_connections_closed{reason=\"bad_handshake\"}");
        assertThat(badFrames).isEqualTo(2);
        assertThat(delta(before, after, "derp_connections_closed{reason=\"oversized_frame\"}"))
                .isGreaterThanOrEqualTo(1);
        // the relay is still the same process and still serves
        assertThat(after.get("derp_packets_sent") - before.get("derp_packets_sent"))
                .isGreaterThanOrEqualTo(received);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** wireguard-go on {@code host} with a random global name (its UAPI socket is global), key, address, port 51820. */
    private static String startWireGuardGo(LabHost host, NodePrivateKey key, String cidr) throws Exception {
        String ifname = "wgd" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        Path sock = Path.of("/var/run/wireguard", ifname + ".sock");
        sockets.add(sock.toString());
        host.spawn("wireguard-go", List.of("wireguard-go", "-f", ifname));
        long deadline = System.nanoTime() + START.toNanos();
        while (!Files.exists(sock)) {
            assertThat(System.nanoTime())
                    .as("wireguard-go " + ifname + " did not start")
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
        host.exec("wg", "set", ifname, "private-key", keyFile(host, key).toString(), "listen-port", "51820");
        host.exec("ip", "addr", "add", cidr, "dev", ifname);
        host.exec("ip", "link", "set", ifname, "up");
        return ifname;
    }

    private static Path keyFile(LabHost host, NodePrivateKey key) {
        Path f = host.dir()
                .resolve("wg-" + key.publicKey().shortString().replaceAll("[^A-Za-z0-9]", "") + ".key")
                .toAbsolutePath();
        try {
            if (!Files.exists(f)) {
                Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(f, Base64.getEncoder().encodeToString(key.toRaw()) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /**
     * The relay's {@code /debug/varz}, fetched from inside its namespace over loopback (the page is loopback-only),
     * with TLS and the relay's hostname as SNI.
     */
    private static Map<String, Long> varz(String node) {
        String script = """
                import socket, ssl, sys
                ctx = ssl.create_default_context(cafile=sys.argv[2])
                ctx.check_hostname = False
                s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", 443), timeout=10), server_hostname=sys.argv[1])
                s.sendall(b"GET /debug/varz HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
                out = b""
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    out += d
                sys.stdout.write(out.decode())
                """;
        String text = lab.host(node)
                .exec(
                        "python3",
                        "-c",
                        script,
                        node + ".lab",
                        ca == null
                                ? lab.workDir()
                                        .resolve("derp-certs")
                                        .resolve("ca.crt")
                                        .toString()
                                : ca.toString())
                .stdout();
        assertThat(text).startsWith("HTTP/1.1 200");
        Map<String, Long> m = new HashMap<>();
        Matcher x = VARZ_LINE.matcher(text.replace("\r", ""));
        while (x.find()) {
            m.put(x.group(1), Long.parseLong(x.group(2)));
        }
        return m;
    }

    private static void awaitHandshake(LabHost host, String ifname, NodePrivateKey peer, Duration max)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        String dump = "";
        while (System.nanoTime() < deadline) {
            dump = host.exec("wg", "show", ifname, "dump").stdout();
            WgPeer p = WgPeer.parseDump(dump).get(peer.publicKey().toBase64());
            if (p != null && p.lastHandshake() != null) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no WireGuard handshake across the mesh within " + max + "; derp1 " + varz("derp1")
                + "; derp2 " + varz("derp2") + "; wg dump on " + host + ":\n" + dump);
    }

    private static void awaitVarz(String node, String name, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (varz(node).getOrDefault(name, 0L) < atLeast) {
            assertThat(System.nanoTime())
                    .as(node + " " + name + " < " + atLeast)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
        assertThat(after).containsKey(name);
        return after.get(name) - before.getOrDefault(name, 0L);
    }
}
