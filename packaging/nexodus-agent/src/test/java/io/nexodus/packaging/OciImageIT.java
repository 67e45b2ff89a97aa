package io.nexodus.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.FreePorts;
import io.nexodus.testkit.RequiresNetns;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service's OCI image (packaging/build-oci.sh) as a container runtime sees it: umoci unpacks it (which checks every
 * digest and size and turns the image configuration into a runtime bundle) and runc runs the bundle; the service
 * answers {@code /private/ready} on a free loopback port and stops on SIGTERM. The container shares the host's network
 * namespace only so the test can reach it on loopback; everything else is the image's own (its user, its root).
 */
@RequiresNetns(commands = {"umoci", "runc"})
class OciImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = System.getProperty("nexodus.version", "");

    private Path work;
    private final String id = "nexodus-oci-it-" + ProcessHandle.current().pid();

    @AfterEach
    void removeContainerAndBundle() throws IOException {
        Cmd.tryRun("runc", "delete", "--force", id);
        WorkDirs.delete(work);
    }

    @Test
    void theImageUnpacksAndItsServiceRunsInRunc() throws Exception {
        Path layout = Path.of(System.getProperty("nexodus.oci", "../nexodus/target/oci"));
        assertThat(layout.resolve("index.json"))
                .as("OCI layout made by ./mvnw package")
                .isRegularFile();
        work = Files.createTempDirectory(Path.of("target"), "oci-test").toAbsolutePath();
        Path bundle = work.resolve("bundle");
        Cmd.Result unpack = Cmd.tryRun(
                Duration.ofMinutes(2),
                List.of("umoci", "unpack", "--image", layout + ":" + VERSION, bundle.toString()));
        assertThat(unpack.exitCode()).as("umoci unpack: %s", unpack.stderr()).isZero();

        Path configFile = bundle.resolve("config.json");
        ObjectNode config = (ObjectNode) JSON.readTree(configFile.toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        assertThat(strings(process.get("args")))
                .containsExactly(
                        "/usr/lib/nexodus/runtime/bin/java",
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        "/usr/lib/nexodus/lib/*",
                        "io.nexodus.server.Main",
                        "serve");
        assertThat(process.get("user").get("uid").asInt()).isEqualTo(65532);
        assertThat(strings(process.get("env"))).contains("NEXAPI_DATA_DIR=/var/lib/nexodus");
        assertThat(bundle.resolve("rootfs/usr/lib/nexodus/runtime/bin/javac")).doesNotExist();

        // For the test only: the host's network namespace (loopback reachable), free ports, no DERP relay, no
        // terminal; and no tmpfs over the data volume (umoci mounts one, root's; Docker and Podman give a volume the
        // image directory's owner, the service's user).
        int port = FreePorts.tcp();
        process.put("terminal", false);
        ArrayNode env = (ArrayNode) process.get("env");
        env.add("NEXAPI_LISTEN=127.0.0.1:" + port);
        env.add("NEXAPI_STUN_PORTS=" + FreePorts.udp() + "," + FreePorts.udp());
        env.add("NEXAPI_DERP_LISTEN=none");
        ObjectNode linux = (ObjectNode) config.get("linux");
        linux.set(
                "namespaces",
                filter(linux.get("namespaces"), n -> !n.get("type").asText().equals("network")));
        config.set(
                "mounts",
                filter(config.get("mounts"), m -> !m.get("destination").asText().equals("/var/lib/nexodus")));
        JSON.writeValue(configFile.toFile(), config);

        try (ChildProcess container = ChildProcess.start(
                work.resolve("container.log"), List.of("runc", "run", "--bundle", bundle.toString(), id))) {
            ServiceReady.await(container, URI.create("http://127.0.0.1:" + port + "/private/ready"));
            assertThat(bundle.resolve("rootfs/var/lib/nexodus/admin-password")).isRegularFile();

            Cmd.run("runc", "kill", id, "TERM");
            assertThat(container.process().waitFor(30, TimeUnit.SECONDS))
                    .as("stopped within 30 s:\n%s", container.output())
                    .isTrue();
            assertThat(container.process().exitValue()).as(container.output()).isIn(0, 143);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static ArrayNode filter(JsonNode array, java.util.function.Predicate<JsonNode> keep) {
        ArrayNode out = JSON.createArrayNode();
        array.forEach(n -> {
            if (keep.test(n)) {
                out.add(n);
            }
        });
        return out;
    }
}
