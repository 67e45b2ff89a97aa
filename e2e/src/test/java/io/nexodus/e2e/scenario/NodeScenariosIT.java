package io.nexodus.e2e.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Vpc;
import io.nexodus.e2e.lab.JavaCommand;
import io.nexodus.e2e.lab.LabHost;
import io.nexodus.e2e.lab.NatLab;
import io.nexodus.examples.meshhttp.MeshHttpServer;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.RequiresNetns;
import io.nexodus.testkit.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node library in network namespaces with the real service: {@code pub-a} runs the example
 * ({@code examples/mesh-http}, {@link MeshHttpServer}) without any capability, so the JVM joins the VPC in process
 * with a registration key (no TUN, no interface); {@code pub-b} runs an ordinary nexd with its kernel TUN. {@code curl}
 * on {@code pub-b} downloads a 2 MiB file from the example's JDK {@code HttpServer} at the node's tunnel address
 * (SHA-256 compared) and reads its {@code /hello} page; the example fetches a 2 MiB file from a web server on
 * {@code pub-b} over a mesh connection the node opens ({@code NexodusNode.connect}), SHA-256 compared.
 */
@RequiresNetns(commands = {"nft", "unshare", "setpriv", "curl", "sha256sum"})
class NodeScenariosIT {
    private static final Path LOGS = Path.of("target", "natlab", NodeScenariosIT.class.getSimpleName());
    private static final String[] FAST = {"--peer-up-timeout", "4s", "--peer-down-timeout", "4s", "--keepalive", "1s"};
    private static final int PEER_WEB = 8000;
    private static final int MESH_HTTP = 80;
    private static final Pattern SERVING =
            Pattern.compile("serving \\S+ at http://([0-9.]+):" + MESH_HTTP + "/ and http://\\[([0-9a-f:]+)]:");

    private static NatLab lab;
    private static LabService service;
    private static final List<AutoCloseable> started = new ArrayList<>();
    private static Path tmp;

    @BeforeAll
    static void startLabAndService() throws IOException {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "node-it"); // short: the node's control socket lives here
        lab = NatLab.builder(LOGS)
                .publicHost("service", "203.0.113.10")
                .publicHost("pub-a", "203.0.113.40")
                .publicHost("pub-b", "203.0.113.41")
                .publicHost("pub-c", "203.0.113.42")
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
        WorkDirs.delete(tmp);
    }

    private static <T extends AutoCloseable> T keep(T c) {
        started.add(c);
        return c;
    }

    private static String newVpc(String name) {
        var admin = service.admin();
        Vpc created = admin.vpcs().create(new AddVpc(admin.users().me().id(), name, false, null, null));
        return admin.regKeys()
                .create(new AddRegKey(created.id(), null, name, false, null, null, null))
                .bearerToken();
    }

    /** The JDK's {@code jwebserver} on all of {@code host}'s addresses, serving {@code tmp/name}. */
    private static ChildProcess webServer(LabHost host, String name, int port) {
        return keep(host.spawn(
                name,
                List.of(
                        JavaCommand.javaExecutable(),
                        "-m",
                        "jdk.httpserver",
                        "-b",
                        "0.0.0.0",
                        "-p",
                        Integer.toString(port),
                        "-d",
                        tmp.resolve(name).toString())));
    }

    /** A file of {@code bytes} pseudo-random bytes; returns its SHA-256 (hex). */
    private static String randomFile(Path file, int bytes, long seed) throws Exception {
        byte[] data = new byte[bytes];
        new SplittableRandom(seed).nextBytes(data);
        Files.createDirectories(file.getParent());
        Files.write(file, data);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void aTunPeerReachesTheExamplesHttpServerAndTheNodeReachesThePeer() throws Exception {
        String rk = newVpc("node");
        LabHost a = lab.host("pub-a");
        LabHost b = lab.host("pub-b");
        String served = randomFile(tmp.resolve("served/blob"), 2 << 20, 1);
        String peers = randomFile(tmp.resolve("peer-web/blob"), 2 << 20, 2);

        // pub-b: a kernel-TUN nexd and a web server on all its addresses (the JDK's jwebserver)
        LabAgent peer = keep(LabAgent.on(b, service, rk).args(FAST).start());
        ChildProcess web = webServer(b, "peer-web", PEER_WEB);
        peer.awaitRunning(ScenarioLab.START);
        web.awaitOutput("Serving ", Duration.ofSeconds(30));

        // pub-a: the example, with no capability at all
        List<String> links = a.links();
        JavaCommand example = JavaCommand.of(
                        MeshHttpServer.class,
                        "--state-dir",
                        tmp.resolve("node-state").toString(),
                        "--serve",
                        tmp.resolve("served").toString(),
                        "--port",
                        Integer.toString(MESH_HTTP),
                        "--fetch",
                        "http://" + peer.tunnelIp() + ":" + PEER_WEB + "/blob")
                .withEnv("NEXODUS_REG_KEY", service.url() + "#" + rk)
                .withEnv("NEXODUS_CA_CERT", service.caFile().toString());
        List<String> argv = new ArrayList<>(LabAgent.NO_CAPABILITIES);
        argv.addAll(example.argv());
        ChildProcess node = keep(a.spawn("mesh-http", example.env(), argv));
        node.awaitOutput(SERVING.pattern(), ScenarioLab.START);
        Matcher m = SERVING.matcher(node.output());
        assertThat(m.find()).isTrue();
        String nodeIp = m.group(1);
        String nodeIp6 = m.group(2);

        String status = Files.readString(Path.of("/proc", Long.toString(node.pid()), "status"));
        assertThat(status).contains("CapEff:\t0000000000000000").contains("CapBnd:\t0000000000000000");
        assertThat(a.links()).isEqualTo(links);

        // curl from the TUN peer: the page and the file (retries while the peers set up their tunnel)
        String url = "http://" + nodeIp + ":" + MESH_HTTP;
        Cmd.Result hello = b.tryExec(
                Duration.ofSeconds(60),
                "curl",
                "-sS",
                "--fail",
                "--retry",
                "20",
                "--retry-all-errors",
                "--retry-delay",
                "1",
                "--max-time",
                "10",
                url + "/hello");
        assertThat(hello.ok())
                .as(hello.stdout() + hello.stderr() + node.output())
                .isTrue();
        assertThat(hello.stdout()).isEqualTo("hello from " + nodeIp + " over the mesh\n");
        Cmd.Result file = b.tryExec(
                Duration.ofSeconds(60),
                "sh",
                "-c",
                "curl -sS --fail --retry 5 --retry-all-errors --max-time 20 " + url + "/blob | sha256sum");
        assertThat(file.ok()).as(file.stdout() + file.stderr()).isTrue();
        assertThat(file.stdout()).startsWith(served + " ");
        // the node's IPv6 tunnel address serves too
        Cmd.Result hello6 = b.tryExec(
                Duration.ofSeconds(30), "curl", "-sS", "--fail", "--max-time", "10", "http://[" + nodeIp6 + "]/hello");
        assertThat(hello6.ok()).as(hello6.stdout() + hello6.stderr()).isTrue();
        assertThat(hello6.stdout()).isEqualTo("hello from " + nodeIp + " over the mesh\n");

        // the node connected out to the peer's web server over the mesh
        node.awaitOutput("^fetch", Duration.ofSeconds(60));
        assertThat(node.output())
                .contains("fetched http://" + peer.tunnelIp() + ":" + PEER_WEB + "/blob: HTTP/1.1 200 OK, " + (2 << 20)
                        + " bytes, sha256 " + peers);
    }

    /**
     * Two nodes in one JVM ({@link TwoNodesInOneJvm}, no capability), each with its own state directory: they reach
     * each other (1 MiB, SHA-256 echoed) and a TUN peer's web server on {@code pub-c}, and the second keeps working after the first
     * stopped.
     */
    @Test
    void twoNodesInOneJvmReachEachOtherAndAPeerAndOutliveEachOther() throws Exception {
        var admin = service.admin();
        Vpc vpc = admin.vpcs().create(new AddVpc(admin.users().me().id(), "two-nodes", false, null, null));
        String rk = admin.regKeys()
                .create(new AddRegKey(vpc.id(), null, "two-nodes", false, null, null, null))
                .bearerToken();
        LabHost a = lab.host("pub-a");
        // its own TUN peer: two nexd on one host in VPCs sharing the IPv6 prefix are refused by design
        LabHost b = lab.host("pub-c");
        String blob = randomFile(tmp.resolve("two-nodes-web/blob"), 1 << 20, 3);
        LabAgent peer = keep(LabAgent.on(b, service, rk).args(FAST).start());
        ChildProcess web = webServer(b, "two-nodes-web", PEER_WEB + 1);
        peer.awaitRunning(ScenarioLab.START);
        web.awaitOutput("Serving ", Duration.ofSeconds(30));

        JavaCommand two = JavaCommand.of(
                        TwoNodesInOneJvm.class,
                        tmp.resolve("two-nodes").toString(),
                        peer.tunnelIp() + ":" + (PEER_WEB + 1) + "/blob")
                .withEnv("NEXODUS_REG_KEY", service.url() + "#" + rk)
                .withEnv("NEXODUS_CA_CERT", service.caFile().toString());
        List<String> argv = new ArrayList<>(LabAgent.NO_CAPABILITIES);
        argv.addAll(two.argv());
        ChildProcess nodes = keep(a.spawn("two-nodes", two.env(), argv));
        nodes.awaitOutput("^ok node-two after node-one stopped", ScenarioLab.START.multipliedBy(2));
        String out = nodes.output();
        assertThat(out).containsPattern("ok node-two -> node-one 1048576 bytes sha256 [0-9a-f]{64}");
        assertThat(out)
                .contains("ok node-one fetched sha256 " + blob)
                .contains("ok node-two fetched sha256 " + blob)
                .contains("ok node-two after node-one stopped fetched sha256 " + blob);
        assertThat(admin.vpcs().devices(vpc.id(), ListOptions.NONE).items())
                .extracting(Device::hostname)
                .contains("node-one", "node-two");
    }
}
