package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.ApiTransportException;
import io.nexodus.api.client.Json;
import io.nexodus.api.client.ListOptions;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.TlsOptions;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.server.FeatureFlags;
import io.nexodus.server.ServerConfig;
import io.nexodus.server.http.Route;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** OpenAPI document, metrics, health, feature flags, TLS modes. */
class ServiceIT {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void openApiDocumentDescribesExactlyWhatIsServed() throws Exception {
        try (TestServer ts = TestServer.start(Db.H2)) {
            JsonNode doc = ts.anonymous().service().openApi();
            assertThat(doc.path("openapi").asText()).startsWith("3.0");
            int operations = 0;
            for (Route r : ts.server().routes()) {
                JsonNode op = doc.path("paths").path(r.path()).path(r.method().toLowerCase(Locale.ROOT));
                assertThat(op.isObject()).as(r.method() + " " + r.path()).isTrue();
                assertThat(op.path("responses").has(Integer.toString(r.successStatus())))
                        .isTrue();
                operations++;
            }
            int documented = 0;
            for (JsonNode item : doc.path("paths")) {
                documented += item.size();
            }
            assertThat(documented).isEqualTo(operations);
            JsonNode device =
                    doc.path("components").path("schemas").path("Device").path("properties");
            assertThat(device.path("ipv4_tunnel_ips").path("type").asText()).isEqualTo("array");
            assertThat(device.path("online_at").path("format").asText()).isEqualTo("date-time");
            assertThat(device.path("online_at").path("nullable").asBoolean())
                    .as("sent as null while never online")
                    .isTrue();
            assertThat(doc.path("components")
                            .path("schemas")
                            .path("RegKey")
                            .path("properties")
                            .path("expires_at")
                            .path("nullable")
                            .asBoolean())
                    .isTrue();
            for (String path : List.of("/api/users/{id}", "/api/reg-keys/{id}")) {
                JsonNode id = doc.path("paths")
                        .path(path)
                        .path("get")
                        .path("parameters")
                        .path(0);
                assertThat(id.path("schema").path("pattern").asText()).as(path).startsWith("^(me|");
                assertThat(id.path("schema").has("format")).as(path).isFalse();
            }
            assertThat(doc.path("paths")
                            .path("/api/devices")
                            .path("post")
                            .path("responses")
                            .path("409")
                            .path("content")
                            .toString())
                    .contains("ConflictsError");
            assertThat(doc.path("components").path("schemas").has("ValidationError"))
                    .isTrue();
        }
    }

    @Test
    void metricsHealthAndGarbageCollection() throws Exception {
        try (TestServer ts = TestServer.start(Db.H2)) {
            NexodusClient admin = ts.admin();
            admin.users().me();
            String metrics = get(ts.url() + "/metrics").body();
            assertThat(metrics)
                    .contains("http_server_requests_seconds_count")
                    .contains("nexodus_watch_streams")
                    .contains("jvm_memory_used_bytes");
            // every family is typed and explained (Prometheus text format: # HELP then # TYPE per family)
            Map<String, String> help = new TreeMap<>();
            Set<String> families = new TreeSet<>();
            for (String line : metrics.lines().toList()) {
                if (line.startsWith("# HELP ")) {
                    String[] parts = line.substring(7).split(" ", 2);
                    help.put(parts[0], parts.length > 1 ? parts[1].strip() : "");
                } else if (line.startsWith("# TYPE ")) {
                    families.add(line.substring(7).split(" ", 2)[0]);
                }
            }
            assertThat(families).hasSizeGreaterThan(20);
            assertThat(families)
                    .as("families without a HELP text")
                    .allSatisfy(f -> assertThat(help.getOrDefault(f, "")).as(f).isNotBlank());
            assertThat(get(ts.url() + "/private/live").body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(get(ts.url() + "/private/ready").statusCode()).isEqualTo(200);
            var org = admin.organizations().create(new AddOrganization("gc-" + System.nanoTime(), ""));
            admin.organizations().delete(org.id());
            JsonNode gc = Json.mapper()
                    .readTree(http.send(
                                    HttpRequest.newBuilder(URI.create(ts.url() + "/private/gc?retention=0s"))
                                            .header(
                                                    "Authorization",
                                                    "Bearer "
                                                            + ts.login("admin", TestServer.ADMIN_PASSWORD)
                                                                    .accessToken())
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body());
            assertThat(gc.path("deleted").path("organizations").asInt()).isGreaterThanOrEqualTo(1);
            String url = ts.url();
            ts.server().close();
            assertThatThrownBy(() -> get(url + "/private/ready")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aStopWithADrainDelayTurnsReadinessOffFirstAndKeepsServing() throws Exception {
        try (TestServer ts = TestServer.start(Db.H2)) {
            String url = ts.url();
            NexodusClient admin = ts.admin();
            assertThat(get(url + "/private/ready").statusCode()).isEqualTo(200);
            long start = System.nanoTime();
            Thread stopping = Thread.ofPlatform().start(() -> ts.server().stop(Duration.ofMillis(1500)));
            // what a balancer polling readiness sees at once, while requests already routed here still succeed
            Awaitility.await()
                    .atMost(Duration.ofMillis(500))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> get(url + "/private/ready").statusCode() == 503);
            assertThat(get(url + "/private/ready").body()).isEqualTo("{\"status\":\"DOWN\"}");
            assertThat(get(url + "/private/live").statusCode()).isEqualTo(200);
            assertThat(admin.organizations().list(ListOptions.NONE).items()).isNotEmpty();
            stopping.join(20_000);
            assertThat(stopping.isAlive()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
            assertThatThrownBy(() -> get(url + "/private/ready")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void disabledFeatureFlagsAnswer405() {
        Map<String, String> env =
                Map.of("NEXAPI_FFLAG_MULTI_ORGANIZATION", "false", "NEXAPI_FFLAG_SECURITY_GROUPS", "false");
        try (TestServer ts = TestServer.start(Db.H2, c -> c.withFlags(FeatureFlags.fromEnv(env)))) {
            NexodusClient admin = ts.admin();
            assertThat(admin.featureFlags().list())
                    .containsEntry("multi-organization", false)
                    .containsEntry("devices", true)
                    .containsEntry("sites", false);
            assertThat(admin.featureFlags().get("security-groups")).isFalse();
            ApiException e = assertApi(() -> admin.organizations().create(new AddOrganization("x", "")));
            assertThat(e.status()).isEqualTo(405);
            assertThat(e.getMessage()).contains("multi-organization support is disabled");
            assertThat(assertApi(() -> admin.securityGroups()
                                    .create(new AddSecurityGroup(
                                            "x", admin.users().me().id(), List.of(), List.of())))
                            .status())
                    .isEqualTo(405);
            assertThat(assertApi(() -> admin.featureFlags().get("nope")).status())
                    .isEqualTo(404);
        }
    }

    private static ApiException assertApi(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected an ApiException");
    }

    @Test
    void selfSignedTlsWritesACaThatClientsTrust() throws Exception {
        try (TestServer ts = TestServer.start(Db.H2, c -> c.withTlsSelfSigned(true))) {
            assertThat(ts.url()).startsWith("https://127.0.0.1:");
            var ca = ts.server().caFile();
            assertThat(ca).isEqualTo(ts.config().dataDir().resolve("tls/ca.pem"));
            assertThat(Files.readString(ca)).startsWith("-----BEGIN CERTIFICATE-----");
            URI url = URI.create(ts.url());
            assertThat(NexodusClient.builder(url)
                            .tls(TlsOptions.trusting(ca))
                            .build()
                            .service()
                            .live()
                            .status())
                    .isEqualTo("UP");
            assertThat(NexodusClient.builder(URI.create(ts.url().replace("127.0.0.1", "localhost")))
                            .tls(TlsOptions.trusting(ca))
                            .build()
                            .service()
                            .live()
                            .status())
                    .as("certificate names localhost too")
                    .isEqualTo("UP");
            assertThat(NexodusClient.builder(url)
                            .tls(TlsOptions.insecure())
                            .build()
                            .service()
                            .live()
                            .status())
                    .isEqualTo("UP");
            assertThatThrownBy(
                            () -> NexodusClient.builder(url).build().service().live())
                    .isInstanceOf(ApiTransportException.class);
            assertThat(ts.admin().users().me().username()).isEqualTo("admin");

            // the generated certificate and key also work as --tls-cert/--tls-key
            var cfg = ServerConfig.forTests(Files.createTempDirectory("nexodus-tls-"));
            cfg = new ServerConfig(
                    cfg.listenHost(),
                    0,
                    cfg.dataDir(),
                    null,
                    null,
                    null,
                    List.of(),
                    cfg.adminPassword(),
                    ts.config().dataDir().resolve("tls/server.pem"),
                    ts.config().dataDir().resolve("tls/server-key.pem"),
                    false,
                    null,
                    null,
                    "nexodus-cli",
                    null,
                    "nexodus-web",
                    1000,
                    cfg.accessTokenTtl(),
                    cfg.refreshTokenTtl(),
                    cfg.watchHeartbeat(),
                    cfg.onlineGrace(),
                    4,
                    cfg.flags(),
                    true);
            try (TestServer given = TestServer.start(cfg)) {
                assertThat(NexodusClient.builder(URI.create(given.url()))
                                .tls(TlsOptions.trusting(ca))
                                .build()
                                .service()
                                .live()
                                .status())
                        .isEqualTo("UP");
            }
        }
    }
}
