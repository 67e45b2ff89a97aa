package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Body of {@code PATCH /api/reg-keys/{id}}; null = unchanged. {@code expires_at} = {@code 0001-01-01T00:00:00Z}
 * (Go's zero time, {@link #NO_EXPIRY}) removes the expiry.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UpdateRegKey(
        @Limits(maxLength = 1000) @JsonProperty("description")
        String description,

        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("security_group_id") UUID securityGroupId,

        @Limits(maxLength = 100000) @JsonProperty("settings")
        Map<String, JsonNode> settings) {
    public static final Instant NO_EXPIRY = Instant.parse("0001-01-01T00:00:00Z");
}
