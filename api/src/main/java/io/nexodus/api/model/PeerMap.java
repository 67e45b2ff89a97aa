package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What the service signs for one device so its agent can bring its tunnels up while the service is unreachable: the
 * VPC, the device itself (its tunnel addresses), every other device of the VPC as the watch stream delivers them
 * (keys, tunnel addresses, allowed IPs, advertised networks, endpoints, relay flag), the VPC's security groups and the
 * devices' {@code relay} metadata. Carried as the signed bytes of a {@link SignedPeerMap}.
 *
 * @param format   {@link #FORMAT}; an agent refuses a map of a format it does not know
 * @param vpcId    the VPC (also {@code vpc.id})
 * @param deviceId the device the map was issued to (also {@code device.id})
 * @param issuedAt when the service signed it (the agent refuses a map older than its {@code --peer-map-max-age})
 */
public record PeerMap(
        @JsonProperty("format") int format,
        @JsonProperty("vpc_id") UUID vpcId,
        @JsonProperty("device_id") UUID deviceId,
        @JsonProperty("issued_at") Instant issuedAt,
        @JsonProperty("vpc") Vpc vpc,
        @JsonProperty("device") Device device,
        @JsonProperty("peers") List<Device> peers,
        @JsonProperty("security_groups") List<SecurityGroup> securityGroups,
        @JsonProperty("relay_metadata") List<DeviceMetadata> relayMetadata) {

    public static final int FORMAT = 1;

    public PeerMap {
        peers = peers == null ? List.of() : List.copyOf(peers);
        securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
        relayMetadata = relayMetadata == null ? List.of() : List.copyOf(relayMetadata);
    }
}
