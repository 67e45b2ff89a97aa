package io.nexodus.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexodus.api.client.Json;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Our records carry every field of upstream's models (reference/upstream-swagger.json) with the same JSON types.
 * Upstream-only experimental models (sites, service networks, CA) are out of scope.
 */
class UpstreamContractTest {
    private static final Map<String, Class<? extends Record>> MODELS = new TreeMap<>(Map.ofEntries(
            Map.entry("models.User", User.class),
            Map.entry("models.Organization", Organization.class),
            Map.entry("models.UserOrganization", UserOrganization.class),
            Map.entry("models.Invitation", Invitation.class),
            Map.entry("models.VPC", Vpc.class),
            Map.entry("models.TunnelIP", TunnelIp.class),
            Map.entry("models.Endpoint", Endpoint.class),
            Map.entry("models.Device", Device.class),
            Map.entry("models.DeviceMetadata", DeviceMetadata.class),
            Map.entry("models.RegKey", RegKey.class),
            Map.entry("models.SecurityRule", SecurityRule.class),
            Map.entry("models.SecurityGroup", SecurityGroup.class),
            Map.entry("models.Watch", Watch.class),
            Map.entry("models.WatchEvent", WatchEvent.class),
            Map.entry("models.BaseError", BaseError.class),
            Map.entry("models.ValidationError", ValidationError.class),
            Map.entry("models.ConflictsError", ConflictsError.class),
            Map.entry("models.NotFoundError", NotFoundError.class),
            Map.entry("models.NotAllowedError", NotAllowedError.class),
            Map.entry("models.InternalServerError", InternalServerError.class),
            Map.entry("models.AddOrganization", AddOrganization.class),
            Map.entry("models.AddInvitation", AddInvitation.class),
            Map.entry("models.AddVPC", AddVpc.class),
            Map.entry("models.UpdateVPC", UpdateVpc.class),
            Map.entry("models.AddDevice", AddDevice.class),
            Map.entry("models.UpdateDevice", UpdateDevice.class),
            Map.entry("models.AddRegKey", AddRegKey.class),
            Map.entry("models.UpdateRegKey", UpdateRegKey.class),
            Map.entry("models.AddSecurityGroup", AddSecurityGroup.class),
            Map.entry("models.UpdateSecurityGroup", UpdateSecurityGroup.class),
            Map.entry("models.DeviceStartResponse", DeviceStartResponse.class),
            Map.entry("models.UserInfoResponse", UserInfoResponse.class)));

    @Test
    void everyUpstreamFieldIsPresentWithTheSameJsonType() throws Exception {
        JsonNode defs;
        try (InputStream in = getClass().getResourceAsStream("/upstream-swagger.json")) {
            defs = Json.mapper().readTree(in).get("definitions");
        }
        StringBuilder problems = new StringBuilder();
        MODELS.forEach((name, type) -> {
            if (!defs.has(name)) {
                return;
            } // e.g. NotFoundError: in upstream's code (reference §2.1), not in its swagger
            JsonNode props = defs.get(name).path("properties");
            Map<String, RecordComponent> ours = new TreeMap<>();
            for (RecordComponent rc : type.getRecordComponents()) {
                ours.put(rc.getAccessor().getAnnotation(JsonProperty.class).value(), rc);
            }
            for (Iterator<String> it = props.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                RecordComponent rc = ours.get(field);
                if (rc == null) {
                    problems.append(name)
                            .append(": missing field ")
                            .append(field)
                            .append('\n');
                    continue;
                }
                String want = jsonType(props.get(field));
                String have = jsonType(rc.getType());
                if (want != null && have != null && !want.equals(have)) {
                    problems.append(name)
                            .append('.')
                            .append(field)
                            .append(": upstream ")
                            .append(want)
                            .append(", ours ")
                            .append(have)
                            .append('\n');
                }
            }
        });
        assertThat(problems.toString()).isEmpty();
    }

    @Test
    void serializesSnakeCaseNamesAndOmitsEmptyBearerToken() throws Exception {
        Device d = new Device(
                UUID.randomUUID(),
                null,
                null,
                "k",
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                false,
                true,
                "h",
                "linux",
                List.of(),
                7,
                null,
                false,
                null,
                null);
        ObjectNode n = (ObjectNode) Json.mapper().valueToTree(d);
        assertThat(new TreeSet<>(iter(n.fieldNames())))
                .contains("symmetric_nat", "ipv4_tunnel_ips", "online_at", "security_group_id")
                .doesNotContain("bearer_token", "symmetricNat");
        assertThat(Json.mapper().treeToValue(n, Device.class)).isEqualTo(d);
    }

    private static List<String> iter(Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    private static String jsonType(JsonNode schema) {
        if (schema.has("$ref")) {
            return "object";
        }
        if (schema.has("allOf")) {
            return "object";
        }
        String t = schema.path("type").asText(null);
        if ("integer".equals(t) || "number".equals(t)) {
            return "number";
        }
        return t; // string, boolean, array, object, or null = any
    }

    private static String jsonType(Class<?> c) {
        if (c == String.class || c == UUID.class || c == Instant.class) {
            return "string";
        }
        if (c == boolean.class || c == Boolean.class) {
            return "boolean";
        }
        if (c == int.class || c == long.class || c == Integer.class || c == Long.class) {
            return "number";
        }
        if (List.class.isAssignableFrom(c)) {
            return "array";
        }
        if (c == JsonNode.class || c == Object.class) {
            return null;
        }
        return "object";
    }
}
