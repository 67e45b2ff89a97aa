package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexodus.server.http.OpenApiDocument;
import io.nexodus.server.http.Route;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.OpenApiContract;
import io.nexodus.server.testing.RequestBodies;
import io.nexodus.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Generated bad input: every operation of the published OpenAPI document that takes a JSON object body is called
 * with a valid body in which one field at a time is set to its documented boundary, one past it, a wrong JSON type
 * or null (nested list items included). Nothing may answer 5xx; one past a documented limit is a 400 naming the
 * field; the boundary itself is never refused for its length (and free-text fields accept it).
 */
@ParameterizedClass
@EnumSource(Db.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Fields whose only constraint is their length: the boundary value must be accepted. */
    private static final Set<String> FREE_TEXT = Set.of("description", "hostname", "full_name", "os", "region_name");

    @Parameter
    Db db;

    private final ObjectMapper json = new ObjectMapper();
    private TestServer ts;
    private HttpClient http;
    private String token;
    private JsonNode doc;
    private OpenApiContract contract;
    private String vpcId;
    private String orgId;
    private String deviceId;
    private String regKeyId;
    private String groupId;
    private final List<String> failures = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        ts = TestServer.start(db);
        http = HttpClient.newBuilder().sslContext(ts.tls().sslContext()).build();
        token = ts.login("admin", TestServer.ADMIN_PASSWORD).accessToken();
        doc = call("GET", "/openapi.json", null).body;
        contract = new OpenApiContract(doc);
        orgId = call("POST", "/api/organizations", body("name", uniq(), "description", "bad input"))
                .body
                .path("id")
                .asText();
        vpcId = call("POST", "/api/vpcs", body("organization_id", orgId, "description", "bad input"))
                .body
                .path("id")
                .asText();
        deviceId = call("POST", "/api/devices", baseline("POST", "/api/devices"))
                .body
                .path("id")
                .asText();
        regKeyId = call("POST", "/api/reg-keys", baseline("POST", "/api/reg-keys"))
                .body
                .path("id")
                .asText();
        groupId = call("POST", "/api/security-groups", baseline("POST", "/api/security-groups"))
                .body
                .path("id")
                .asText();
        assertThat(List.of(orgId, vpcId, deviceId, regKeyId, groupId)).allMatch(id -> !id.isEmpty());
    }

    @AfterAll
    void stop() {
        if (ts != null) {
            ts.close();
        }
    }

    @Test
    void everyRequestBodyFieldAnswersBadInputWith4xx() throws Exception {
        int operations = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths =
                        doc.path("paths").properties().iterator();
                paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops =
                            p.getValue().properties().iterator();
                    ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                JsonNode schema = op.getValue()
                        .path("requestBody")
                        .path("content")
                        .path("application/json")
                        .path("schema");
                if (!schema.has("$ref")) {
                    continue;
                }
                String method = op.getKey().toUpperCase(Locale.ROOT);
                String path = p.getKey();
                if (baseline(method, path) == null) {
                    failures.add(method + " " + path + ": no valid baseline body in this test");
                    continue;
                }
                operations++;
                walk(method, path, resolve(schema), "", () -> baseline(method, path));
                for (String raw : List.of("[]", "null", "42", "\"x\"", "{", "{\"description\": }")) {
                    expect4xx(method, path, raw, "body " + raw);
                }
            }
        }
        assertThat(operations).as("operations with a JSON object body").isGreaterThanOrEqualTo(10);
        assertThat(failures).isEmpty();
    }

    /** The fuzz target of body decoding (RequestBodyFuzzTest) covers every type a route decodes from JSON. */
    @Test
    void theBodyFuzzTargetCoversEveryRequestBodyType() {
        Set<Type> decoded = new HashSet<>();
        for (Route r : ts.server().routes()) {
            if (r.requestBody() != null
                    && r.requestBody() != JsonNode.class
                    && r.requestBody() != OpenApiDocument.FormBody.class) {
                decoded.add(r.requestBody());
            }
        }
        assertThat(RequestBodies.TYPES).containsExactlyInAnyOrderElementsOf(decoded);
    }

    /** Too large a body gets one answer, whether its length is announced (web server) or streamed (the handler). */
    @Test
    void oversizedBodiesGetOneAnswer() throws Exception {
        String big = "{\"description\":\"" + "x".repeat(1024 * 1024) + "\"}";
        String huge = "{\"description\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}";
        HttpRequest.Builder announced = HttpRequest.newBuilder(URI.create(ts.url() + "/api/vpcs"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big));
        HttpRequest.Builder chunked = HttpRequest.newBuilder(URI.create(ts.url() + "/api/vpcs"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))));
        HttpRequest.Builder hugeChunked = HttpRequest.newBuilder(URI.create(ts.url() + "/api/vpcs"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(huge.getBytes(StandardCharsets.UTF_8))));
        for (HttpRequest.Builder b : List.of(announced, chunked, hugeChunked)) {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
            assertThat(json.readTree(r.body()).path("error").asText()).isEqualTo("request body larger than 1 MiB");
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        }
    }

    @Test
    void vpcRangesAreRefusedOrAcceptedWithWarnings() throws Exception {
        Reply catchAll = call("POST", "/api/vpcs", privateVpc("0.0.0.0/0", null));
        assertThat(catchAll.status).isEqualTo(400);
        assertThat(catchAll.body.path("field").asText()).isEqualTo("ipv4_cidr");
        Reply multicast = call("POST", "/api/vpcs", privateVpc("10.9.0.0/16", "ff05::/64"));
        assertThat(multicast.status).isEqualTo(400);
        assertThat(multicast.body.path("field").asText()).isEqualTo("ipv6_cidr");

        int n = ThreadLocalRandom.current().nextInt(11, 250);
        Reply clean = call("POST", "/api/vpcs", privateVpc("10." + n + ".0.0/16", String.format("fd%02x::/64", n)));
        assertThat(clean.status).isEqualTo(201);
        assertThat(clean.body.has("warnings"))
                .as("no warnings, no field: %s", clean)
                .isFalse();
        Reply publicAndOverlap = call("POST", "/api/vpcs", privateVpc("8.8.8.0/24", String.format("fd%02x::/64", n)));
        assertThat(publicAndOverlap.status).isEqualTo(201);
        assertThat(publicAndOverlap.body.path("warnings").toString())
                .contains("public address range")
                .contains("overlaps VPC " + clean.body.path("id").asText());
        assertThat(call("GET", "/api/vpcs/" + publicAndOverlap.body.path("id").asText(), null)
                        .body
                        .has("warnings"))
                .isFalse();
    }

    private ObjectNode privateVpc(String v4, String v6) {
        ObjectNode b = body("organization_id", orgId, "description", "ranges", "ipv4_cidr", v4);
        b.put("private_cidr", true);
        if (v6 != null) {
            b.put("ipv6_cidr", v6);
        }
        return b;
    }

    /** Mutates each property of {@code schema}, found at {@code prefix} inside the baseline body. */
    private void walk(String method, String path, JsonNode schema, String prefix, Supplier<ObjectNode> base)
            throws Exception {
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        schema.path("properties").properties().iterator();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String field = prefix + name;
            JsonNode ps = e.getValue();
            String type = ps.path("type").asText("");
            if (type.equals("string") && ps.has("maxLength")) {
                int max = ps.get("maxLength").asInt();
                Reply ok = send(method, path, base, prefix, name, F.textNode(filled(max)));
                check(method, field + " at its maximum length " + max, ok);
                if (ok.status == 400 && ok.body.path("reason").asText().startsWith("at most")) {
                    failures.add(method + " " + path + " " + field + ": boundary refused: " + ok);
                } else if (FREE_TEXT.contains(name) && ok.status / 100 != 2) {
                    failures.add(method + " " + path + " " + field + ": boundary not accepted: " + ok);
                }
                Reply over = send(method, path, base, prefix, name, F.textNode(filled(max + 1)));
                expectField(method, path, field, over, "over-long " + field);
            }
            if (type.equals("integer")) {
                if (ps.has("maximum")) {
                    expectField(
                            method,
                            path,
                            field,
                            send(
                                    method,
                                    path,
                                    base,
                                    prefix,
                                    name,
                                    F.numberNode(ps.get("maximum").asLong() + 1)),
                            field + " above its maximum");
                }
                if (ps.has("minimum")) {
                    expectField(
                            method,
                            path,
                            field,
                            send(
                                    method,
                                    path,
                                    base,
                                    prefix,
                                    name,
                                    F.numberNode(ps.get("minimum").asLong() - 1)),
                            field + " below its minimum");
                }
                check(method, field + " huge", send(method, path, base, prefix, name, F.numberNode(1L << 40)));
            }
            if (type.equals("array")) {
                JsonNode items = ps.path("items");
                if (ps.has("maxItems")) {
                    ArrayNode many = F.arrayNode();
                    for (int i = 0; i <= ps.get("maxItems").asInt(); i++) {
                        many.add(items.has("$ref") ? F.objectNode() : F.textNode("a"));
                    }
                    expectField(method, path, field, send(method, path, base, prefix, name, many), "too many items");
                }
                if (items.has("maxLength")) {
                    ArrayNode longItem =
                            F.arrayNode().add(filled(items.get("maxLength").asInt() + 1));
                    expectField(
                            method,
                            path,
                            field + "[0]",
                            send(method, path, base, prefix, name, longItem),
                            "over-long item");
                }
                expect4xx(
                        method,
                        path,
                        send(method, path, base, prefix, name, F.arrayNode().addNull()),
                        "[null]");
                check(method, field + " item of wrong type", send(method, path, base, prefix, name, arrayOf(7)));
                if (items.has("$ref") && base.get().path(name).path(0).isObject() && prefix.isEmpty()) {
                    walk(method, path, resolve(items), name + "[0].", base);
                }
            }
            // a JSON object where a scalar or list is expected (and a string where an object is) is a wrong type
            JsonNode wrong = type.equals("object") || (type.isEmpty() && !ps.has("$ref"))
                    ? F.textNode("x")
                    : F.objectNode().put("x", 1);
            if (!type.isEmpty() || ps.has("$ref")) {
                expect4xx(method, path, send(method, path, base, prefix, name, wrong), field + " of the wrong type");
            }
            check(method, field + " null", send(method, path, base, prefix, name, F.nullNode()));
        }
    }

    private static ArrayNode arrayOf(int v) {
        return F.arrayNode().add(v);
    }

    private JsonNode resolve(JsonNode schema) {
        String ref = schema.path("$ref").asText();
        return doc.at(ref.substring(1));
    }

    private Reply send(
            String method, String path, Supplier<ObjectNode> base, String prefix, String name, JsonNode value)
            throws IOException, InterruptedException {
        ObjectNode body = base.get();
        ObjectNode target = body;
        if (!prefix.isEmpty()) {
            String list = prefix.substring(0, prefix.indexOf('['));
            target = (ObjectNode) body.path(list).path(0);
        }
        target.set(name, value);
        return call(method, concrete(path), body);
    }

    private void check(String method, String what, Reply r) {
        if (r.status >= 500) {
            failures.add(method + " " + what + ": " + r);
        }
    }

    /** Every refusal also matches the published document (status documented, body of the documented shape). */
    private void conforms(String method, String path, Reply r, String what) {
        for (String problem :
                contract.check(method, path, r.status, r.contentType, r.text.getBytes(StandardCharsets.UTF_8))) {
            failures.add(what + ": " + problem);
        }
    }

    private void expect4xx(String method, String path, Reply r, String what) {
        conforms(method, path, r, what);
        if (r.status < 400 || r.status >= 500) {
            failures.add(method + " " + path + " " + what + ": expected 4xx, got " + r);
        }
    }

    private void expect4xx(String method, String path, String raw, String what)
            throws IOException, InterruptedException {
        expect4xx(method, path, raw(method, concrete(path), raw), what);
    }

    private void expectField(String method, String path, String field, Reply r, String what) {
        conforms(method, path, r, what);
        if (r.status != 400 || !field.equals(r.body.path("field").asText())) {
            failures.add(method + " " + path + " " + what + ": expected 400 naming " + field + ", got " + r.status + " "
                    + r.body);
        }
    }

    /** A unique prefix (lower-case letters and digits, so it fits codes and usernames) padded to {@code n}. */
    private static String filled(int n) {
        String u = uniq();
        return n <= u.length() ? u.substring(0, n) : u + "a".repeat(n - u.length());
    }

    private static String uniq() {
        return "x" + UUID.randomUUID().toString().replace("-", "").substring(0, 11);
    }

    private String concrete(String path) {
        return path.replace("/api/vpcs/{id}", "/api/vpcs/" + vpcId)
                .replace("/api/devices/{id}", "/api/devices/" + deviceId)
                .replace("/api/reg-keys/{id}", "/api/reg-keys/" + regKeyId)
                .replace("/api/security-groups/{id}", "/api/security-groups/" + groupId);
    }

    /** A valid body for the operation (fresh unique names each time), or null when the test knows none. */
    private ObjectNode baseline(String method, String path) {
        return switch (method + " " + path) {
            case "POST /api/organizations" -> body("name", uniq(), "description", "d");
            case "POST /api/vpcs" -> body("organization_id", orgId, "description", "d");
            case "PATCH /api/vpcs/{id}" -> body("description", "d");
            case "POST /api/devices" -> {
                ObjectNode b =
                        body("vpc_id", vpcId, "public_key", Keys.generate().publicKey(), "hostname", "h");
                b.put("os", "linux");
                b.putArray("endpoints").addObject().put("source", "local").put("address", "192.168.1.2:51820");
                b.putArray("advertise_cidrs");
                yield b;
            }
            case "PATCH /api/devices/{id}" -> {
                ObjectNode b = body("hostname", "h");
                b.putArray("endpoints").addObject().put("source", "local").put("address", "192.168.1.2:51820");
                yield b;
            }
            case "PUT /api/devices/{id}/connectivity" -> {
                // answered 403 to this user token once the body passes: only the device itself reports
                ObjectNode b = body("nat_type", "cone");
                b.putArray("peers")
                        .addObject()
                        .put("device_id", UUID.randomUUID().toString())
                        .put("method", "reflexive")
                        .put("relay", "public-derp")
                        .put("healthy", true)
                        .put("handshake_age_seconds", 3)
                        .put("rx_bytes", 1)
                        .put("tx_bytes", 2);
                yield b;
            }
            case "POST /api/reg-keys" -> body("vpc_id", vpcId, "description", "d");
            case "PATCH /api/reg-keys/{id}" -> body("description", "d");
            case "POST /api/security-groups" -> rules(body("vpc_id", vpcId, "description", "d"));
            case "PATCH /api/security-groups/{id}" -> rules(body("description", "d"));
            case "POST /api/invitations" -> body("email", uniq() + "@example.com", "organization_id", orgId);
            case "POST /api/relays" -> body("region_code", uniq(), "host_name", "relay.example.com");
            case "POST /admin/accounts" -> {
                ObjectNode b = body("username", uniq(), "password", "password-123");
                b.put("full_name", "F").put("email", "a@example.com");
                yield b;
            }
            default -> null;
        };
    }

    private static ObjectNode rules(ObjectNode b) {
        b.putArray("inbound_rules")
                .addObject()
                .put("ip_protocol", "tcp")
                .put("from_port", 22)
                .put("to_port", 22)
                .set("ip_ranges", F.arrayNode().add("10.0.0.0/8"));
        b.putArray("outbound_rules");
        return b;
    }

    private static ObjectNode body(String k1, String v1) {
        return F.objectNode().put(k1, v1);
    }

    private static ObjectNode body(String k1, String v1, String k2, String v2) {
        return F.objectNode().put(k1, v1).put(k2, v2);
    }

    private static ObjectNode body(String k1, String v1, String k2, String v2, String k3, String v3) {
        return body(k1, v1, k2, v2).put(k3, v3);
    }

    private record Reply(int status, JsonNode body, String contentType, String text) {
        @Override
        public String toString() {
            String b = body.toString();
            return status + " " + (b.length() > 300 ? b.substring(0, 300) + "..." : b);
        }
    }

    private Reply call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        return raw(method, path, body == null ? null : json.writeValueAsString(body));
    }

    private Reply raw(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ts.url() + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode parsed;
        try {
            parsed = r.body().isEmpty() ? F.objectNode() : json.readTree(r.body());
        } catch (IOException e) {
            parsed = F.textNode(r.body());
        }
        return new Reply(
                r.statusCode(), parsed, r.headers().firstValue("Content-Type").orElse(null), r.body());
    }
}
