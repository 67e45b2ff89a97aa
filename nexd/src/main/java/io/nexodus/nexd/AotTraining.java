package io.nexodus.nexd;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.nexdctl.NexdCtlClient;
import io.nexodus.api.nexdctl.NexdCtlServer;
import io.nexodus.api.watch.Informer;
import io.nexodus.api.watch.WatchStream;
import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.nexd.agent.AgentStatus;
import io.nexodus.nexd.agent.PeerView;
import io.nexodus.nexd.agent.Reconciler;
import io.nexodus.nexd.cli.NexdCommand;
import io.nexodus.nexd.ctl.AgentControl;
import io.nexodus.nexd.endpoint.NatDiscovery;
import io.nexodus.nexd.endpoint.StunClientProbe;
import io.nexodus.nexd.peering.PeerInfo;
import io.nexodus.nexd.peering.PeeringTimeouts;
import io.nexodus.nexd.peering.SelfInfo;
import io.nexodus.nexd.state.NexdState;
import io.nexodus.nexd.state.StateStore;
import io.nexodus.nexd.wg.JavaBackend;
import io.nexodus.stun.StunClientConfig;
import io.nexodus.stun.StunServer;
import io.nexodus.stun.StunServerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The training run behind nexd's AOT cache (JDK 25, JEP 483/514): {@code bin/nexd} runs this once per build with
 * {@code -XX:AOTCacheOutput}, and later starts map the classes it recorded instead of loading and linking them from
 * jars. It walks nexd's start-up paths without root or a network: flags, state file, two in-memory WireGuard devices
 * on loopback with a real handshake, STUN from the WireGuard socket against a loopback STUN server, registration and
 * a watch stream against a loopback stub of the service (plain HTTP; the TLS context is built), the reconciler, the
 * control socket. It exercises code paths; it tests nothing.
 */
public final class AotTraining {
    private static final String VPC = "00000000-0000-0000-0000-0000000000b1";
    private static volatile String sealedFor;

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("nexd-aot-training");
        InetAddress lo = InetAddress.getLoopbackAddress();
        HttpServer http = HttpServer.create(new InetSocketAddress(lo, 0), 0);
        http.createContext("/", AotTraining::answer);
        http.start();
        try (StunServer stunServer = StunServer.start(
                List.of(new InetSocketAddress(lo, 0), new InetSocketAddress(lo, 0)), StunServerConfig.defaults())) {
            // flags and help, as a start does
            PrintWriter nowhere = new PrintWriter(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
            new CommandLine(new NexdCommand()).setOut(nowhere).setErr(nowhere).execute("--help");
            new CommandLine(new NexdCommand())
                    .parseArgs("--reg-key", "https://h#RK:x", "--tunnel-iface", "wg0", "relay");
            // state
            StateStore store = new StateStore(dir.resolve("state"));
            NodePrivateKey privA = NodePrivateKey.generate();
            NodePrivateKey privB = NodePrivateKey.generate();
            store.save(NexdState.EMPTY.withKeys(privA.publicKey().toBase64(), privA.toBase64()));
            store.update(s -> s.withPort(51820));
            // WireGuard and STUN from its socket
            try (JavaBackend a = JavaBackend.inMemory("aot0", privA.toBase64(), lo);
                    JavaBackend b = JavaBackend.inMemory("aot1", privB.toBase64(), lo)) {
                new NatDiscovery(
                                new StunClientProbe(
                                        a.sharedSocket().orElseThrow(),
                                        StunClientConfig.defaults().withTimeout(Duration.ofSeconds(2))),
                                stunServer.localAddresses())
                        .observe();
                // the service: registration and the watch stream
                TlsOptions.insecure().sslContext();
                sealedFor = a.publicKey();
                NexodusClient api = NexodusClient.builder(URI.create(
                                "http://127.0.0.1:" + http.getAddress().getPort()))
                        .bearerToken("RK:training")
                        .build();
                api.regKeys().me();
                api.vpcs().get(UUID.fromString(VPC));
                Device d = api.devices()
                        .create(new AddDevice(
                                UUID.fromString(VPC),
                                a.publicKey(),
                                List.of(),
                                null,
                                false,
                                false,
                                "h",
                                List.of(new Endpoint("local", "127.0.0.1:1")),
                                "linux",
                                null));
                String dt = SealedToken.open(d.bearerToken(), privA);
                Informer<Device> devices = Informer.devices(UUID.fromString(VPC));
                try (WatchStream _ = WatchStream.builder(api.withToken(() -> dt), UUID.fromString(VPC))
                        .subscribe(devices)
                        .subscribe(Informer.securityGroups(UUID.fromString(VPC)))
                        .subscribe(Informer.deviceMetadata(UUID.fromString(VPC), "relay"))
                        .start()) {
                    devices.awaitSynced(Duration.ofSeconds(5));
                }
                // reconcile two devices into a tunnel
                SelfInfo selfA = new SelfInfo(
                        a.publicKey(), false, false, false, Optional.of(lo), List.of("100.64.0.0/10"), false);
                SelfInfo selfB = new SelfInfo(
                        b.publicKey(), false, false, false, Optional.of(lo), List.of("100.64.0.0/10"), false);
                Reconciler ra = new Reconciler(a, null, PeeringTimeouts.DEFAULT, Clock.systemUTC());
                Reconciler rb = new Reconciler(b, null, PeeringTimeouts.DEFAULT, Clock.systemUTC());
                ra.update(selfA, List.of(peer(b, "100.64.0.2")));
                rb.update(selfB, List.of(peer(a, "100.64.0.1")));
                for (int i = 0; i < 20 && ra.peers().stream().noneMatch(PeerView::healthy); i++) {
                    Thread.sleep(50);
                    ra.tick();
                    rb.tick();
                }
                // the control socket
                Path sock = dir.resolve("nexd.sock");
                try (NexdCtlServer _ = new NexdCtlServer(
                                sock,
                                new AgentControl(
                                        AgentControl.view(
                                                () -> AgentStatus.of(AgentStatus.RUNNING, ""),
                                                v6 -> Optional.of("100.64.0.1"),
                                                ra::peers,
                                                () -> false,
                                                () -> false),
                                        ip -> Optional.empty()))
                        .start()) {
                    NexdCtlClient c = new NexdCtlClient(sock);
                    c.version();
                    c.status();
                    c.listPeers();
                }
            }
        } finally {
            http.stop(0);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static PeerInfo peer(JavaBackend b, String ip) {
        InetSocketAddress ep = new InetSocketAddress(InetAddress.getLoopbackAddress(), b.listenPort());
        return new PeerInfo(
                b.publicKey(),
                UUID.randomUUID(),
                "peer",
                false,
                Optional.empty(),
                false,
                Optional.of(ep),
                Optional.of(ep),
                List.of(ip),
                List.of(ip + "/32"),
                List.of());
    }

    private static void answer(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            String device =
                    "{\"id\":\"" + VPC + "\",\"owner_id\":\"" + VPC + "\",\"vpc_id\":\"" + VPC + "\",\"public_key\":\""
                            + sealedFor
                            + "\",\"allowed_ips\":[\"100.64.0.1/32\"],\"ipv4_tunnel_ips\":[{\"address\":\"100.64.0.1\","
                            + "\"cidr\":\"100.64.0.0/10\"}],\"ipv6_tunnel_ips\":[],\"advertise_cidrs\":[],\"relay\":false,"
                            + "\"symmetric_nat\":false,\"hostname\":\"h\",\"os\":\"linux\",\"endpoints\":[{\"source\":\"local\","
                            + "\"address\":\"127.0.0.1:1\"}],\"revision\":1,\"security_group_id\":\"" + VPC
                            + "\",\"online\":true,"
                            + "\"online_at\":\"2026-01-01T00:00:00Z\"";
            String body;
            String type = "application/json";
            if (path.equals("/api/reg-keys/me")) {
                body = "{\"id\":\"" + VPC + "\",\"owner_id\":\"" + VPC + "\",\"vpc_id\":\"" + VPC
                        + "\",\"description\":\"d\"}";
            } else if (path.startsWith("/api/vpcs/") && path.endsWith("/events")) {
                type = "application/json;stream=watch";
                body = "{\"kind\":\"device\",\"type\":\"change\",\"value\":" + device + "}}\n"
                        + "{\"kind\":\"device\",\"type\":\"tail\"}\n{\"kind\":\"security-group\",\"type\":\"tail\"}\n"
                        + "{\"kind\":\"device-metadata\",\"type\":\"tail\"}\n";
            } else if (path.startsWith("/api/vpcs/")) {
                body = "{\"id\":\"" + VPC + "\",\"organization_id\":\"" + VPC
                        + "\",\"description\":\"d\",\"private_cidr\":false,"
                        + "\"ipv4_cidr\":\"100.64.0.0/10\",\"ipv6_cidr\":\"200::/64\",\"revision\":1}";
            } else if (path.equals("/api/devices")) {
                body = device + ",\"bearer_token\":\""
                        + SealedToken.seal(NodePublicKey.fromBase64(sealedFor), "DT:training") + "\"}";
            } else {
                body = null;
            }
            byte[] bytes = (body == null ? "{\"error\":\"not found\"}" : body).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", type);
            ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            ex.getResponseBody().write(bytes);
        }
    }
}
