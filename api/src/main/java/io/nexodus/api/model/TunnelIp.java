package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A tunnel address of a device and the VPC CIDR it was allocated from. */
public record TunnelIp(
        @Limits(maxLength = 64) @JsonProperty("address") String address,
        @Limits(maxLength = 64) @JsonProperty("cidr") String cidr) {}
