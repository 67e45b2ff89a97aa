package io.nexodus.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nexodus.core.time.DurationSyntax;
import io.nexodus.testkit.ChildProcess;
import io.nexodus.testkit.Cmd;
import io.nexodus.testkit.FreePorts;
import io.nexodus.testkit.RequiresNetns;
import io.nexodus.testkit.WorkDirs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service's OCI image (packaging/build-oci.sh) as a container runtime sees it: umoci unpacks it (which checks every
 * digest and size and turns the image configuration into a runtime bundle) and runc runs the bundle; the service
 * answers {@code /private/ready} on a free loopback port and stops on SIGTERM. The container shares the host's network
 * namespace only so the test can reach it on loopback; everything else is the image's own (its user, its root). A
 * second run applies the container settings of the Kubernetes manifests (packaging/kubernetes).
 */
@RequiresNetns(commands = {"umoci", "runc"})
class OciImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
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
        Path bundle = unpack();
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
        shareHostNetwork(config);
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

    /**
     * The image run as packaging/kubernetes/deployment.yaml runs it: a read-only root, empty volumes on the data
     * directory and /tmp, no capabilities, no privilege escalation, the ConfigMap's variables. Differences, for the
     * test: the host's network namespace and free loopback ports, and the embedded H2 database instead of the
     * ConfigMap's PostgreSQL. On SIGTERM readiness turns 503 while the port still answers, for the ConfigMap's
     * shutdown delay, as the Service's endpoints need.
     */
    @Test
    void theImageRunsAsTheKubernetesManifestsRunIt() throws Exception {
        Path manifests = Path.of(System.getProperty("nexodus.kubernetes", "../kubernetes"));
        JsonNode pod = YAML.readTree(manifests.resolve("deployment.yaml").toFile())
                .path("spec")
                .path("template")
                .path("spec");
        JsonNode spec = pod.path("containers").path(0);
        JsonNode configMap = YAML.readTree(manifests.resolve("configmap.yaml").toFile());
        assertThat(spec.path("securityContext").path("readOnlyRootFilesystem").asBoolean())
                .isTrue();

        Path bundle = unpack();
        Path configFile = bundle.resolve("config.json");
        ObjectNode config = (ObjectNode) JSON.readTree(configFile.toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        process.put("noNewPrivileges", true);
        ObjectNode capabilities = JSON.createObjectNode();
        for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
            capabilities.putArray(set); // capabilities: drop: [ALL]
        }
        process.set("capabilities", capabilities);
        ((ObjectNode) process.get("user"))
                .put("uid", pod.path("securityContext").path("runAsUser").asInt());
        ((ObjectNode) config.get("root")).put("readonly", true);

        int port = FreePorts.tcp();
        Map<String, String> variables = new LinkedHashMap<>();
        configMap
                .path("data")
                .properties()
                .forEach(e -> variables.put(e.getKey(), e.getValue().asText()));
        variables.remove("NEXAPI_DB_URL");
        variables.remove("NEXAPI_DB_USER");
        variables.put("NEXAPI_LISTEN", "127.0.0.1:" + port);
        variables.put("NEXAPI_STUN_PORTS", FreePorts.udp() + "," + FreePorts.udp());
        variables.put("NEXAPI_ADMIN_PASSWORD", "from-the-secret");
        spec.path("env").forEach(e -> {
            if (e.has("value")) {
                variables.put(e.path("name").asText(), e.path("value").asText());
            }
        });
        ArrayNode env = JSON.createArrayNode();
        strings(process.get("env")).stream()
                .filter(v -> !variables.containsKey(v.substring(0, v.indexOf('='))))
                .forEach(env::add);
        variables.forEach((k, v) -> env.add(k + "=" + v));
        process.set("env", env);
        shareHostNetwork(config);

        // emptyDir volumes as the kubelet makes them: a directory of the node, mode 0777, with the pod's fsGroup
        // (set-group-ID), bound into the container on its read-only root
        ArrayNode mounts = filter(config.get("mounts"), m -> {
            String at = m.get("destination").asText();
            return !at.equals("/var/lib/nexodus") && !at.equals("/tmp");
        });
        String fsGroup = pod.path("securityContext").path("fsGroup").asText();
        for (JsonNode volume : spec.path("volumeMounts")) {
            Path dir = Files.createDirectory(
                    work.resolve("volume-" + volume.path("name").asText()));
            Cmd.run("chgrp", fsGroup, dir.toString());
            Cmd.run("chmod", "2777", dir.toString());
            ObjectNode m = mounts.addObject();
            m.put("destination", volume.path("mountPath").asText());
            m.put("type", "bind");
            m.put("source", dir.toString());
            m.putArray("options").add("rbind").add("rw").add("nosuid").add("nodev");
        }
        config.set("mounts", mounts);
        JSON.writeValue(configFile.toFile(), config);

        URI ready = URI.create("http://127.0.0.1:" + port + "/private/ready");
        try (ChildProcess container = ChildProcess.start(
                work.resolve("container.log"), List.of("runc", "run", "--bundle", bundle.toString(), id))) {
            ServiceReady.await(container, ready);
            container.awaitOutput("password as given by", Duration.ofSeconds(10));

            Duration delay = DurationSyntax.parse(variables.get("NEXAPI_SHUTDOWN_DELAY"));
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            long stop = System.nanoTime();
            Cmd.run("runc", "kill", id, "TERM");
            int status = 0;
            while (status != 503 && System.nanoTime() - stop < delay.toNanos()) {
                status = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            }
            long notReady = System.nanoTime() - stop;
            assertThat(status).as("readiness during the shutdown delay").isEqualTo(503);
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/private/live"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .as("still serving")
                    .isEqualTo(200);
            assertThat(container.process().waitFor(30, TimeUnit.SECONDS))
                    .as("stopped within the pod's grace period:\n%s", container.output())
                    .isTrue();
            long stopped = System.nanoTime() - stop;
            assertThat(container.process().exitValue()).as(container.output()).isIn(0, 143);
            assertThat(Duration.ofNanos(stopped)).isGreaterThanOrEqualTo(delay);
            System.out.printf(
                    "SIGTERM: readiness 503 after %d ms, stopped after %d ms (shutdown delay %d ms)%n",
                    notReady / 1_000_000, stopped / 1_000_000, delay.toMillis());
        }
    }

    private Path unpack() throws IOException {
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
        return bundle;
    }

    private static void shareHostNetwork(ObjectNode config) {
        ObjectNode linux = (ObjectNode) config.get("linux");
        linux.set(
                "namespaces",
                filter(linux.get("namespaces"), n -> !n.get("type").asText().equals("network")));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static ArrayNode filter(JsonNode array, Predicate<JsonNode> keep) {
        ArrayNode out = JSON.createArrayNode();
        array.forEach(n -> {
            if (keep.test(n)) {
                out.add(n);
            }
        });
        return out;
    }
}
