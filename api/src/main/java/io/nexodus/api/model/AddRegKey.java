package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Body of {@code POST /api/reg-keys}; {@code vpc_id} is required. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddRegKey(
        @JsonProperty("vpc_id") UUID vpcId,
        @JsonProperty("service_network_id") UUID serviceNetworkId,

        @Limits(maxLength = 1000) @JsonProperty("description")
        String description,

        @JsonProperty("single_use") boolean singleUse,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("security_group_id") UUID securityGroupId,

        @Limits(maxLength = 100000) @JsonProperty("settings")
        Map<String, JsonNode> settings) {}
