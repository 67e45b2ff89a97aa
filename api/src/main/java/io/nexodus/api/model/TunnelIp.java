package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A tunnel address of a device and the VPC CIDR it was allocated from. */
public record TunnelIp(
        @JsonProperty("address") String address,
        @JsonProperty("cidr") String cidr) {}
