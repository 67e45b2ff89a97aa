package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/**
 * Body of {@code POST /api/devices}. {@code vpc_id} and {@code public_key} are required; {@code ipv4_tunnel_ips}
 * may hold one requested address (honoured when free); {@code security_group_id} defaults to the VPC's default group.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddDevice(
        @JsonProperty("vpc_id") UUID vpcId,
        @Limits(maxLength = 64) @JsonProperty("public_key") String publicKey,

        @Limits(maxItems = 256, itemMaxLength = 64) @JsonProperty("advertise_cidrs")
        List<String> advertiseCidrs,

        @Limits(maxItems = 1) @JsonProperty("ipv4_tunnel_ips")
        List<TunnelIp> ipv4TunnelIps,

        @JsonProperty("relay") boolean relay,
        @JsonProperty("symmetric_nat") boolean symmetricNat,
        @Limits(maxLength = 255) @JsonProperty("hostname") String hostname,
        @Limits(maxItems = 64) @JsonProperty("endpoints") List<Endpoint> endpoints,
        @Limits(maxLength = 64) @JsonProperty("os") String os,
        @JsonProperty("security_group_id") UUID securityGroupId) {}
