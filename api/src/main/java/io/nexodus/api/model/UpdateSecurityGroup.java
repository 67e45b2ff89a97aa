package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Body of {@code PATCH /api/security-groups/{id}}; null = unchanged, an empty list clears the rules. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UpdateSecurityGroup(
        @JsonProperty("description") String description,
        @JsonProperty("inbound_rules") List<SecurityRule> inboundRules,
        @JsonProperty("outbound_rules") List<SecurityRule> outboundRules) {}
