package io.nexodus.nexctl;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nexodus.api.nexdctl.ConnectivityResult;
import io.nexodus.api.nexdctl.IpFamily;
import io.nexodus.api.nexdctl.ListPeersResult;
import io.nexodus.api.nexdctl.NexdCtl;
import io.nexodus.api.nexdctl.NexdCtlServer;
import io.nexodus.api.nexdctl.NexdStatus;
import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.api.nexdctl.PeerStatus;
import io.nexodus.api.nexdctl.PeeringMethod;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The start-up training run behind nexctl's AOT cache. {@code bin/nexctl} runs this once per build with
 * {@code -XX:AOTCacheOutput}: the JVM records the classes a typical run loads and links (picocli's model, Jackson,
 * the JDK HTTP client, table and YAML output, the nexd control client) and later runs map them instead of loading
 * them from jars, which saves about a third of a command's CPU time. The commands talk to a loopback stub that
 * answers with fixed JSON and to a throw-away control socket: it only exercises code paths, it tests nothing.
 */
public final class AotTraining {
    private static final String ID = "00000000-0000-0000-0000-0000000000a1";
    private static final String USER =
            "{\"id\":\"" + ID + "\",\"username\":\"training\",\"full_name\":\"\",\"picture\":\"\"}";
    private static final String VPCS =
            "[{\"id\":\"" + ID + "\",\"organization_id\":\"" + ID + "\",\"description\":\"d\","
                    + "\"private_cidr\":false,\"ipv4_cidr\":\"100.64.0.0/10\",\"ipv6_cidr\":\"200::/64\",\"revision\":1}]";
    private static final String DEVICES =
            "[{\"id\":\"" + ID + "\",\"owner_id\":\"" + ID + "\",\"vpc_id\":\"" + ID + "\","
                    + "\"public_key\":\"k=\",\"allowed_ips\":[\"100.64.0.1/32\"],\"ipv4_tunnel_ips\":[{\"address\":\"100.64.0.1\",\"cidr\":\"100.64.0.0/10\"}],"
                    + "\"ipv6_tunnel_ips\":[],\"advertise_cidrs\":[],\"relay\":false,\"symmetric_nat\":false,\"hostname\":\"h\",\"os\":\"linux\","
                    + "\"endpoints\":[{\"source\":\"local\",\"address\":\"192.168.1.2:51820\"}],\"revision\":1,\"security_group_id\":\""
                    + ID + "\","
                    + "\"online\":true,\"online_at\":\"2026-01-01T00:00:00Z\"}]";
    private static final String REG_KEYS =
            "[{\"id\":\"" + ID + "\",\"owner_id\":\"" + ID + "\",\"vpc_id\":\"" + ID + "\","
                    + "\"description\":\"d\",\"device_id\":null,\"expires_at\":null,\"security_group_id\":null,\"settings\":{}}]";
    private static final String SECURITY_GROUPS =
            "[{\"id\":\"" + ID + "\",\"description\":\"d\",\"vpc_id\":\"" + ID + "\","
                    + "\"inbound_rules\":[{\"ip_protocol\":\"tcp\",\"from_port\":22,\"to_port\":22,\"ip_ranges\":[\"10.0.0.0/8\"]}],"
                    + "\"outbound_rules\":[],\"revision\":1}]";

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("nexctl-aot-training");
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", AotTraining::answer);
        http.start();
        String url = "http://127.0.0.1:" + http.getAddress().getPort();
        Path socket = dir.resolve("nexd.sock");
        NexdCtlServer nexd = new NexdCtlServer(socket, new TrainingAgent());
        try {
            nexd.start();
            Path config = dir.resolve("config").resolve("nexodus");
            Files.createDirectories(config);
            Files.writeString(
                    config.resolve("credentials.json"),
                    "{\"services\":{\"" + url + "\":{\"username\":\"training\","
                            + "\"access_token\":\"t\",\"refresh_token\":\"r\",\"expires_at\":\"2999-01-01T00:00:00Z\"}}}");
            PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
            CliEnvironment env = new CliEnvironment(
                    Map.of(
                            "XDG_CONFIG_HOME",
                            dir.resolve("config").toString(),
                            "NEXCTL_SERVICE_URL",
                            url,
                            "NEXCTL_UNIX_SOCKET",
                            socket.toString()),
                    nowhere,
                    nowhere,
                    new ByteArrayInputStream(new byte[0]),
                    () -> null,
                    dir,
                    Clock.systemUTC(),
                    () -> false);
            List<String[]> runs = List.of(
                    new String[] {"--help"},
                    new String[] {"vpc", "--help"},
                    new String[] {"version"},
                    new String[] {"vpc", "list"},
                    new String[] {"device", "list", "--full"},
                    new String[] {"user", "get-current", "-o", "json"},
                    new String[] {"reg-key", "list", "-o", "yaml"},
                    new String[] {"security-group", "list", "-o", "json-raw"},
                    new String[] {"organization", "get", "--organization-id", ID}, // a 404: the error path
                    new String[] {"vpc", "list", "--service-url", "http://127.0.0.1:1"}, // refused
                    new String[] {"nexd", "status"},
                    new String[] {"nexd", "peers", "list", "-o", "json"},
                    new String[] {"nexd", "peers", "list"},
                    new String[] {"nexd", "get", "tunnelip"},
                    new String[] {"vpcs", "lst"});
            for (String[] run : runs) {
                Nexctl.run(run, env);
            }
        } finally {
            nexd.close();
            http.stop(0);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void answer(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            String body = switch (ex.getRequestURI().getPath()) {
                case "/api/users/me" -> USER;
                case "/api/vpcs" -> VPCS;
                case "/api/devices" -> DEVICES;
                case "/api/reg-keys" -> REG_KEYS;
                case "/api/security-groups" -> SECURITY_GROUPS;
                default -> null;
            };
            byte[] b = (body == null ? "{\"error\":\"not found\",\"resource\":\"organization\"}" : body)
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(body == null ? 404 : 200, b.length);
            ex.getResponseBody().write(b);
        }
    }

    /** Answers the control calls the training makes. */
    private static final class TrainingAgent implements NexdCtl {
        @Override
        public String version() {
            return NexodusVersion.current();
        }

        @Override
        public NexdStatus status() {
            return new NexdStatus(NexdStatus.RUNNING, "");
        }

        @Override
        public String tunnelIp(IpFamily family) {
            return "100.64.0.1";
        }

        @Override
        public ListPeersResult listPeers() {
            return new ListPeersResult(
                    true,
                    false,
                    Map.of(
                            "k=",
                            new PeerStatus(
                                    "k=",
                                    "192.0.2.1:51820",
                                    List.of("100.64.0.2/32"),
                                    "2026-01-01T00:00:00Z",
                                    1,
                                    2,
                                    true,
                                    "h",
                                    List.of("100.64.0.2"),
                                    PeeringMethod.REFLEXIVE,
                                    null,
                                    null,
                                    null)));
        }

        @Override
        public ConnectivityResult connectivity(IpFamily family) {
            return new ConnectivityResult(true, false, Map.of());
        }

        @Override
        public boolean debug() {
            return false;
        }

        @Override
        public void setDebug(boolean on) {}
    }
}
