package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/** Body of {@code POST /api/security-groups}. Invalid rules are rejected with 422 and field protocol/port_range/ip_range. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddSecurityGroup(
        @Limits(maxLength = 1000) @JsonProperty("description")
        String description,

        @JsonProperty("vpc_id") UUID vpcId,

        @Limits(maxItems = 128) @JsonProperty("inbound_rules")
        List<SecurityRule> inboundRules,

        @Limits(maxItems = 128) @JsonProperty("outbound_rules")
        List<SecurityRule> outboundRules) {}
