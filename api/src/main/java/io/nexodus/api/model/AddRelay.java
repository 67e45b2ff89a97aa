package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code POST /api/relays} (administrators only): another public DERP relay, e.g. one run with
 * {@code nexd relayderp} on a public host. Only {@code region_code} and {@code host_name} are required.
 *
 * @param regionId   902–999; default the lowest free one (900 is the built-in relay, 901 an agent's onboarded relay)
 * @param regionCode unique, lower-case letters, digits and '-', at most 32 characters
 * @param regionName default: the code
 * @param hostName   the relay's certificate name (DNS name or IP address)
 * @param ipv4       optional address to dial instead of resolving the name
 * @param ipv6       optional IPv6 address to dial
 * @param derpPort   default 443
 * @param stunPort   default 3478; -1 = the host runs no STUN server
 * @param caPem      the CA that issued the relay's certificate (PEM) when it is not publicly trusted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddRelay(
        @Limits(min = 902, max = 999) @JsonProperty("region_id")
        Integer regionId,

        @Limits(maxLength = 32) @JsonProperty("region_code") String regionCode,

        @Limits(maxLength = 255) @JsonProperty("region_name")
        String regionName,

        @Limits(maxLength = 253) @JsonProperty("host_name") String hostName,
        @Limits(maxLength = 15) @JsonProperty("ipv4") String ipv4,
        @Limits(maxLength = 45) @JsonProperty("ipv6") String ipv6,

        @Limits(min = 1, max = 65535) @JsonProperty("derp_port")
        Integer derpPort,

        @Limits(min = -1, max = 65535, note = "-1 = the host runs no STUN server") @JsonProperty("stun_port")
        Integer stunPort,

        @Limits(maxLength = 16384) @JsonProperty("ca_pem") String caPem) {}
