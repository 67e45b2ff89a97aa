package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One rule of a security group. {@code ip_protocol}: "" (any), ipv4, ipv6, icmp, icmpv4, icmpv6, tcp, udp.
 * Ports: both 0 = any, else 1 &le; from &le; to &le; 65535. {@code ip_ranges}: empty = any, else IPs, CIDRs or
 * {@code a-b} ranges.
 */
public record SecurityRule(
        @Limits(maxLength = 16) @JsonProperty("ip_protocol") String ipProtocol,

        @JsonProperty("from_port") int fromPort,

        @JsonProperty("to_port") int toPort,

        @Limits(maxItems = 64, itemMaxLength = 100) @JsonProperty("ip_ranges")
        List<String> ipRanges) {}
