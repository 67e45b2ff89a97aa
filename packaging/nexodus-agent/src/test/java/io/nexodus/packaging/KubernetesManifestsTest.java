package io.nexodus.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.gson.JsonElement;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.nexodus.core.time.DurationSyntax;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Kubernetes manifests under packaging/kubernetes, checked offline: every object against the Kubernetes API's
 * schema (the official Java client's models, generated from the Kubernetes OpenAPI document, refuse unknown fields,
 * missing required fields and wrong types), and against the product itself: the variables they set are options of
 * {@code nexodus serve}, ports, probes, selectors and secrets fit together, the container runs unprivileged as the
 * image's user. No cluster is reachable here, so admission, scheduling and the ingress controller are not exercised.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of(System.getProperty("nexodus.kubernetes", "../kubernetes"));
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String EXAMPLE_SECRET = "secret.example.yaml";
    private static final Map<String, Class<?>> SCHEMAS = Map.of(
            "v1/Namespace", V1Namespace.class,
            "v1/ConfigMap", V1ConfigMap.class,
            "v1/Secret", V1Secret.class,
            "v1/Service", V1Service.class,
            "apps/v1/Deployment", V1Deployment.class,
            "networking.k8s.io/v1/Ingress", V1Ingress.class,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class);
    /** The user of the service's OCI image (packaging/build-oci.sh). */
    private static final int IMAGE_USER = 65532;

    private record Manifest(String file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }
    }

    @Test
    void everyObjectMatchesTheKubernetesApiSchema() throws Exception {
        List<Manifest> all = new ArrayList<>(applied());
        all.addAll(load(EXAMPLE_SECRET));
        assertThat(all).extracting(Manifest::kind).contains("Deployment", "Service", "ConfigMap", "Secret");
        for (Manifest m : all) {
            validate(m.node());
        }
    }

    @Test
    void theSchemaCheckRefusesWhatKubernetesWouldRefuse() throws Exception {
        ObjectNode misspelt = (ObjectNode) the("Deployment", "nexodus").node().deepCopy();
        ((ObjectNode) misspelt.get("spec")).put("replica", 3);
        assertThatThrownBy(() -> validate(misspelt)).hasMessageContaining("replica");

        ObjectNode noContainers =
                (ObjectNode) the("Deployment", "nexodus").node().deepCopy();
        ((ObjectNode) noContainers.path("spec").path("template").get("spec")).remove("containers");
        assertThatThrownBy(() -> validate(noContainers)).hasMessageContaining("containers");

        ObjectNode wrongType = (ObjectNode) the("Deployment", "nexodus").node().deepCopy();
        ((ObjectNode) wrongType.path("spec").path("template").get("spec")).put("securityContext", "non-root");
        assertThatThrownBy(() -> validate(wrongType)).hasMessageContaining("Not a JSON Object");

        ObjectNode wrongScalar =
                (ObjectNode) the("Deployment", "nexodus").node().deepCopy();
        ((ObjectNode) wrongScalar
                        .path("spec")
                        .path("template")
                        .path("spec")
                        .path("containers")
                        .get(0))
                .putArray("image");
        assertThatThrownBy(() -> validate(wrongScalar)).hasMessageContaining("image");
    }

    @Test
    void theKustomizationAppliesEveryManifestAndPinsTheImageToThisBuild() throws IOException {
        JsonNode k = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
        Set<String> listed = new TreeSet<>();
        k.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.list(DIR)) {
            s.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml"))
                    .filter(f -> !f.equals("kustomization.yaml") && !f.equals(EXAMPLE_SECRET))
                    .forEach(files::add);
        }
        assertThat(listed).isEqualTo(files);
        JsonNode image = k.path("images").path(0);
        assertThat(image.path("name").asText())
                .isEqualTo(container().path("image").asText());
        assertThat(image.path("newTag").asText())
                .as("the tag packaging/build-oci.sh gives the image: the Maven version")
                .isEqualTo(System.getProperty("nexodus.version"));
        assertThat(k.path("namespace").asText())
                .isEqualTo(the("Namespace", "nexodus").name());
    }

    @Test
    void everyVariableTheManifestsSetIsAnOptionOfTheService() throws Exception {
        Set<String> serve = serveVariables();
        assertThat(serve).contains("NEXAPI_URL", "NEXAPI_DB_URL", "NEXAPI_SHUTDOWN_DELAY");
        Map<String, String> env = environment();
        for (String name : env.keySet()) {
            if (!name.equals("JAVA_TOOL_OPTIONS")) {
                assertThat(serve).as("nexodus serve reads %s", name).contains(name);
            }
        }
        assertThat(env).containsKeys("NEXAPI_URL", "NEXAPI_DB_URL", "NEXAPI_DB_PASSWORD", "NEXAPI_ADMIN_PASSWORD");
        assertThat(env.get("NEXAPI_DB_URL")).startsWith("jdbc:postgresql://");
        assertThat(env.get("NEXAPI_URL")).startsWith("https://");
    }

    @Test
    void portsProbesSelectorsAndSecretsFitTogether() throws IOException {
        Map<String, String> env = environment();
        JsonNode deployment = the("Deployment", "nexodus").node();
        JsonNode labels =
                deployment.path("spec").path("template").path("metadata").path("labels");
        assertThat(matches(deployment.path("spec").path("selector").path("matchLabels"), labels))
                .isTrue();
        Map<String, JsonNode> ports = new HashMap<>();
        container().path("ports").forEach(p -> ports.put(p.path("name").asText(), p));

        int listen = Integer.parseInt(env.get("NEXAPI_LISTEN").replaceAll(".*:", ""));
        assertThat(ports.get("http").path("containerPort").asInt()).isEqualTo(listen);
        List<Integer> stun = Stream.of(env.get("NEXAPI_STUN_PORTS").split(","))
                .map(Integer::parseInt)
                .toList();
        assertThat(ports.values().stream()
                        .filter(p -> p.path("protocol").asText().equals("UDP"))
                        .map(p -> p.path("containerPort").asInt())
                        .toList())
                .containsExactlyInAnyOrderElementsOf(stun);

        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            JsonNode get = container().path(probe).path("httpGet");
            assertThat(get.path("port").asText()).as(probe).isEqualTo("http");
            assertThat(get.path("path").asText())
                    .as(probe)
                    .isEqualTo(probe.equals("livenessProbe") ? "/private/live" : "/private/ready");
        }
        // first start waits up to 120 s for the other replicas' first-start steps (docs/deployment.md)
        JsonNode startup = container().path("startupProbe");
        assertThat(startup.path("periodSeconds").asInt()
                        * startup.path("failureThreshold").asInt())
                .isGreaterThan(120);

        for (Manifest m : applied()) {
            if (m.kind().equals("Service")) {
                assertThat(matches(m.node().path("spec").path("selector"), labels))
                        .as(m.name())
                        .isTrue();
                m.node().path("spec").path("ports").forEach(p -> {
                    JsonNode target = ports.get(p.path("targetPort").asText());
                    assertThat(target)
                            .as("%s targets a named container port", m.name())
                            .isNotNull();
                    assertThat(target.path("protocol").asText())
                            .isEqualTo(p.path("protocol").asText());
                });
            } else if (m.kind().equals("PodDisruptionBudget")) {
                assertThat(matches(m.node().path("spec").path("selector").path("matchLabels"), labels))
                        .isTrue();
            } else if (m.kind().equals("Ingress")) {
                JsonNode backend = m.node()
                        .path("spec")
                        .path("rules")
                        .path(0)
                        .path("http")
                        .path("paths")
                        .path(0)
                        .path("backend")
                        .path("service");
                JsonNode api = the("Service", backend.path("name").asText()).node();
                assertThat(api.path("spec").path("ports").findValuesAsText("name"))
                        .contains(backend.path("port").path("name").asText());
                assertThat(m.node()
                                .path("spec")
                                .path("tls")
                                .path(0)
                                .path("hosts")
                                .path(0)
                                .asText())
                        .as("the ingress serves the service's public URL")
                        .isEqualTo(env.get("NEXAPI_URL").replace("https://", ""));
            }
        }

        JsonNode secret = load(EXAMPLE_SECRET).getFirst().node();
        container().path("env").forEach(e -> {
            JsonNode ref = e.path("valueFrom").path("secretKeyRef");
            if (!ref.isMissingNode()) {
                assertThat(ref.path("name").asText())
                        .isEqualTo(secret.path("metadata").path("name").asText());
                assertThat(secret.path("stringData").has(ref.path("key").asText()))
                        .as(ref.path("key").asText())
                        .isTrue();
            }
        });

        // the stop: readiness 503 for the delay, then streams and requests (5 s each at most) before the kill
        Duration delay = DurationSyntax.parse(env.get("NEXAPI_SHUTDOWN_DELAY"));
        int grace = deployment
                .path("spec")
                .path("template")
                .path("spec")
                .path("terminationGracePeriodSeconds")
                .asInt();
        assertThat(delay.plusSeconds(10).toSeconds()).isLessThan(grace);
        JsonNode readiness = container().path("readinessProbe");
        assertThat(readiness.path("periodSeconds").asInt()
                        * readiness.path("failureThreshold").asInt())
                .as("readiness notices the stop within the delay")
                .isLessThan((int) delay.toSeconds());
    }

    @Test
    void theContainerRunsUnprivilegedAsTheImagesUserOnAReadOnlyRoot() throws IOException {
        JsonNode pod = the("Deployment", "nexodus")
                .node()
                .path("spec")
                .path("template")
                .path("spec");
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(IMAGE_USER);
        JsonNode sc = container().path("securityContext");
        assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(sc.path("capabilities").path("drop").findValuesAsText("drop"))
                .isEmpty();
        assertThat(sc.path("capabilities").path("drop").get(0).asText()).isEqualTo("ALL");
        assertThat(sc.path("capabilities").has("add")).isFalse();
        // what the service writes (its data directory, the JVM's /tmp) is on writable volumes
        List<String> mounts = container().path("volumeMounts").findValuesAsText("mountPath");
        assertThat(mounts).contains("/tmp");
        String dataDir = environment().get("NEXAPI_DATA_DIR");
        assertThat(mounts.stream().anyMatch(m -> dataDir.startsWith(m + "/") || dataDir.equals(m)))
                .as("%s is on a volume", dataDir)
                .isTrue();
    }

    @Test
    void kubectlRendersTheKustomizationWhereItIsInstalled() throws Exception {
        Path kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(d -> Path.of(d, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        Assumptions.assumeTrue(kubectl != null, "kubectl is not installed (Debian does not package it)");
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", DIR.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<JsonNode> rendered = documents(out);
        assertThat(rendered).hasSameSizeAs(applied());
        for (JsonNode n : rendered) {
            validate(n);
            if (!n.path("kind").asText().equals("Namespace")) {
                assertThat(n.path("metadata").path("namespace").asText()).isEqualTo("nexodus");
            }
            if (n.path("kind").asText().equals("Deployment")) {
                assertThat(n.path("spec")
                                .path("template")
                                .path("spec")
                                .path("containers")
                                .path(0)
                                .path("image")
                                .asText())
                        .isEqualTo("registry.example.com/nexodus:" + System.getProperty("nexodus.version"));
            }
        }
    }

    private static void validate(JsonNode object) throws Exception {
        String type =
                object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        Class<?> model = SCHEMAS.get(type);
        assertThat(model).as("a kind this test knows: %s", type).isNotNull();
        JsonElement json = com.google.gson.JsonParser.parseString(object.toString());
        try {
            model.getMethod("validateJsonElement", JsonElement.class).invoke(null, json);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static boolean matches(JsonNode selector, JsonNode labels) {
        if (!selector.isObject() || selector.isEmpty()) {
            return false;
        }
        var fields = selector.properties();
        return fields.stream().allMatch(f -> labels.path(f.getKey()).equals(f.getValue()));
    }

    private static Set<String> serveVariables() throws ClassNotFoundException {
        Pattern env = Pattern.compile("^\\$\\{env:([A-Z0-9_]+).*}$");
        Set<String> out = new TreeSet<>();
        for (Field f : Class.forName("io.nexodus.server.Main$Serve").getDeclaredFields()) {
            CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
            if (o != null) {
                Matcher m = env.matcher(o.defaultValue());
                if (m.matches()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }

    /** The container's environment: the ConfigMap it reads whole, and its own variables. */
    private static Map<String, String> environment() throws IOException {
        Map<String, String> env = new HashMap<>();
        for (JsonNode from : container().path("envFrom")) {
            the("ConfigMap", from.path("configMapRef").path("name").asText())
                    .node()
                    .path("data")
                    .properties()
                    .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        container()
                .path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText("(secret)")));
        return env;
    }

    private static JsonNode container() throws IOException {
        return the("Deployment", "nexodus")
                .node()
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .path(0);
    }

    private static Manifest the(String kind, String name) throws IOException {
        return applied().stream()
                .filter(m -> m.kind().equals(kind) && m.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static List<Manifest> applied() throws IOException {
        List<Manifest> out = new ArrayList<>();
        for (JsonNode r :
                YAML.readTree(DIR.resolve("kustomization.yaml").toFile()).path("resources")) {
            out.addAll(load(r.asText()));
        }
        return out;
    }

    private static List<Manifest> load(String file) throws IOException {
        return documents(Files.readString(DIR.resolve(file))).stream()
                .map(n -> new Manifest(file, n))
                .toList();
    }

    private static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (JsonParser parser = YAML.createParser(yaml);
                MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isEmpty()) {
                    out.add(n);
                }
            }
        }
        return out;
    }
}
