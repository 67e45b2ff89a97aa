package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A registration key: an {@code RK:} bearer token that registers devices into one VPC without a user login.
 * {@code device_id} is set for single-use keys (the id the one device will get). The service stores only a hash
 * of the token, so {@code bearer_token} is present only in the response that created the key.
 */
public record RegKey(
        @JsonProperty("id") UUID id,
        @JsonProperty("owner_id") UUID ownerId,
        @JsonProperty("vpc_id") UUID vpcId,
        @JsonProperty("service_network_id") UUID serviceNetworkId,

        @JsonProperty("bearer_token") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        String bearerToken,

        @JsonProperty("description") String description,
        @JsonProperty("device_id") UUID deviceId,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("security_group_id") UUID securityGroupId,
        @JsonProperty("settings") Map<String, JsonNode> settings) {

    public boolean singleUse() {
        return deviceId != null;
    }
}
