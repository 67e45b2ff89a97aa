package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/**
 * A virtual private cloud: the set of devices that peer with each other. A shared-CIDR VPC ({@code private_cidr=false})
 * takes addresses from the service-wide pools; a private one has its own pools.
 */
public record Vpc(
        @JsonProperty("id") UUID id,
        @JsonProperty("organization_id") UUID organizationId,
        @JsonProperty("description") String description,
        @JsonProperty("private_cidr") boolean privateCidr,
        @JsonProperty("ipv4_cidr") String ipv4Cidr,
        @JsonProperty("ipv6_cidr") String ipv6Cidr,
        @JsonProperty("revision") long revision) {}
