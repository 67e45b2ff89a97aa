package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A device (one WireGuard peer) in a VPC. {@code bearer_token} is only present for the device itself, its owner and
 * the registration key that created it, and then it is sealed to the device's public key
 * ({@link io.nexodus.api.crypto.SealedToken}).
 */
public record Device(
        @JsonProperty("id") UUID id,
        @JsonProperty("owner_id") UUID ownerId,
        @JsonProperty("vpc_id") UUID vpcId,
        @JsonProperty("public_key") String publicKey,
        @JsonProperty("allowed_ips") List<String> allowedIps,
        @JsonProperty("ipv4_tunnel_ips") List<TunnelIp> ipv4TunnelIps,
        @JsonProperty("ipv6_tunnel_ips") List<TunnelIp> ipv6TunnelIps,
        @JsonProperty("advertise_cidrs") List<String> advertiseCidrs,
        @JsonProperty("relay") boolean relay,
        @JsonProperty("symmetric_nat") boolean symmetricNat,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("os") String os,
        @JsonProperty("endpoints") List<Endpoint> endpoints,
        @JsonProperty("revision") long revision,
        @JsonProperty("security_group_id") UUID securityGroupId,
        @JsonProperty("online") boolean online,
        @JsonProperty("online_at") Instant onlineAt,

        @JsonProperty("bearer_token") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        String bearerToken) {

    /** This device without its bearer token. */
    public Device withoutBearerToken() {
        return withBearerToken(null);
    }

    public Device withBearerToken(String token) {
        return new Device(
                id,
                ownerId,
                vpcId,
                publicKey,
                allowedIps,
                ipv4TunnelIps,
                ipv6TunnelIps,
                advertiseCidrs,
                relay,
                symmetricNat,
                hostname,
                os,
                endpoints,
                revision,
                securityGroupId,
                online,
                onlineAt,
                token);
    }
}
