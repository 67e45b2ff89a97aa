package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/** A security group of a VPC. The default group of a VPC has the VPC's id and no rules (= allow all). */
public record SecurityGroup(
        @JsonProperty("id") UUID id,
        @JsonProperty("description") String description,
        @JsonProperty("vpc_id") UUID vpcId,
        @JsonProperty("inbound_rules") List<SecurityRule> inboundRules,
        @JsonProperty("outbound_rules") List<SecurityRule> outboundRules,
        @JsonProperty("revision") long revision) {}
