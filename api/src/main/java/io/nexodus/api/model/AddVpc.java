package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/**
 * Body of {@code POST /api/vpcs}. With {@code private_cidr=false} the CIDRs must be empty (the shared pools are
 * used); with {@code private_cidr=true} {@code ipv4_cidr} is required and {@code ipv6_cidr} defaults to a random
 * ULA /64.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddVpc(
        @JsonProperty("organization_id") UUID organizationId,

        @Limits(maxLength = 1000) @JsonProperty("description")
        String description,

        @JsonProperty("private_cidr") boolean privateCidr,
        @Limits(maxLength = 64) @JsonProperty("ipv4_cidr") String ipv4Cidr,
        @Limits(maxLength = 64) @JsonProperty("ipv6_cidr") String ipv6Cidr) {}
