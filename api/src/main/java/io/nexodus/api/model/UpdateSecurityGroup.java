package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Body of {@code PATCH /api/security-groups/{id}}; null = unchanged, an empty list clears the rules. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UpdateSecurityGroup(
        @Limits(maxLength = 1000) @JsonProperty("description")
        String description,

        @Limits(maxItems = 128) @JsonProperty("inbound_rules")
        List<SecurityRule> inboundRules,

        @Limits(maxItems = 128) @JsonProperty("outbound_rules")
        List<SecurityRule> outboundRules) {}
