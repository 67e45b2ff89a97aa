package io.nexodus.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.ConflictsError;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.InternalServerError;
import io.nexodus.api.model.NotFoundError;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.api.model.ValidationError;
import io.nexodus.api.model.Vpc;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NexodusClientTest {
    private HttpServer server;
    private final Map<String, String> lastAuth = new ConcurrentHashMap<>();
    private final Map<String, String> lastBody = new ConcurrentHashMap<>();
    private NexodusClient client;
    private final UUID existing = UUID.randomUUID();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        client = NexodusClient.builder(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"))
                .bearerToken("RK:abc")
                .build();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String key = ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath();
        lastAuth.put(key, String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        lastBody.put(key, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        switch (key) {
            case "POST /api/devices" ->
                send(ex, 409, "{\"id\":\"" + existing + "\",\"error\":\"resource already exists\"}");
            case "PATCH /api/devices/" -> send(ex, 500, "");
            case "GET /api/vpcs" -> {
                ex.getResponseHeaders().add("X-Total-Count", "42");
                send(
                        ex,
                        200,
                        "[{\"id\":\"" + existing
                                + "\",\"organization_id\":null,\"description\":\"d\",\"private_cidr\":false,"
                                + "\"ipv4_cidr\":\"100.64.0.0/10\",\"ipv6_cidr\":\"fd00::/64\",\"revision\":3,\"future_field\":1}]");
            }
            case "POST /api/security-groups" ->
                send(ex, 422, "{\"error\":\"invalid\",\"field\":\"port_range\",\"reason\":\"from > to\"}");
            case "GET /api/organizations/00000000-0000-0000-0000-000000000001" ->
                send(ex, 404, "{\"error\":\"not found\",\"resource\":\"organization\"}");
            case "GET /api/users/me" -> send(ex, 500, "{\"error\":\"internal server error\",\"trace_id\":\"t-1\"}");
            case "GET /api/fflags" -> send(ex, 502, "<html>bad gateway</html>");
            case "DELETE /api/invitations/00000000-0000-0000-0000-000000000002" -> send(ex, 204, null);
            default -> {
                if (key.startsWith("PATCH /api/devices/")) {
                    send(ex, 200, "{\"id\":\"" + existing + "\",\"hostname\":\"h2\",\"revision\":9}");
                } else if (key.startsWith("PUT /api/devices/")) {
                    send(
                            ex,
                            200,
                            "{\"device_id\":\"" + existing + "\",\"key\":\"relay key\",\"value\":" + lastBody.get(key)
                                    + ",\"revision\":5}");
                } else {
                    send(ex, 404, "{\"error\":\"not found\",\"resource\":\"route\"}");
                }
            }
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, status == 204 ? -1 : b.length);
        if (status != 204) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }

    @Test
    void conflictExposesTheExistingIdAndCreateOrUpdatePatchesIt() {
        AddDevice add =
                new AddDevice(UUID.randomUUID(), "pk", List.of(), null, false, true, "h2", List.of(), "linux", null);
        assertThatThrownBy(() -> client.devices().create(add)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.body()).isInstanceOf(ConflictsError.class);
            assertThat(e.conflictingId()).contains(existing);
            assertThat(e.getMessage()).contains("409").contains(existing.toString());
        });
        Device d = client.devices().createOrUpdate(add);
        assertThat(d.hostname()).isEqualTo("h2");
        String patch = lastBody.get("PATCH /api/devices/" + existing);
        assertThat(patch)
                .contains("\"hostname\":\"h2\"")
                .contains("\"symmetric_nat\":true")
                .doesNotContain("revision");
        assertThat(lastAuth.get("POST /api/devices")).isEqualTo("Bearer RK:abc");
    }

    @Test
    void decodesEveryErrorShape() {
        assertThatThrownBy(() -> client.securityGroups().create(null)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(422);
            assertThat(e.body()).isEqualTo(new ValidationError("invalid", "port_range", "from > to"));
            assertThat(e.field()).contains("port_range");
        });
        assertThatThrownBy(() -> client.organizations().get(UUID.fromString("00000000-0000-0000-0000-000000000001")))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> assertThat(e.body()).isEqualTo(new NotFoundError("not found", "organization")));
        assertThatThrownBy(() -> client.users().me())
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> assertThat(e.body()).isEqualTo(new InternalServerError("internal server error", "t-1")));
        assertThatThrownBy(() -> client.featureFlags().list())
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.error()).contains("bad gateway"));
    }

    @Test
    void listsCarryTheTotalCountAndIgnoreUnknownFields() {
        ListResult<Vpc> r =
                client.vpcs().list(ListOptions.NONE.sort("description", true).range(0, 9));
        assertThat(r.totalCount()).isEqualTo(42);
        assertThat(r.items())
                .singleElement()
                .satisfies(v -> assertThat(v.revision()).isEqualTo(3));
    }

    @Test
    void encodesListOptionsAsReactAdminParams() {
        String q = ListOptions.NONE
                .sort("hostname", false)
                .filter("vpc_id", "x")
                .range(10, 19)
                .toQuery();
        assertThat(URLDecoder.decode(q, StandardCharsets.UTF_8))
                .isEqualTo("sort=[\"hostname\",\"ASC\"]&filter={\"vpc_id\":\"x\"}&range=[10,19]");
    }

    @Test
    void noContentAndMetadataValues() {
        client.invitations().delete(UUID.fromString("00000000-0000-0000-0000-000000000002"));
        var m = client.devices().putMetadata(existing, "relay key", Map.of("type", "derp"));
        assertThat(m.value().path("type").asText()).isEqualTo("derp");
        assertThat(lastBody.keySet()).contains("PUT /api/devices/" + existing + "/metadata/relay%20key");
    }

    @Test
    void connectionFailureIsATransportError() {
        server.stop(0);
        assertThatThrownBy(() -> client.vpcs().list(ListOptions.NONE)).isInstanceOf(ApiTransportException.class);
    }

    @Test
    void builderValidatesTheUrl() {
        assertThatThrownBy(() -> NexodusClient.builder(URI.create("ftp://x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(UpdateDevice.empty().withHostname("x").hostname()).isEqualTo("x");
        new AtomicInteger();
    }
}
