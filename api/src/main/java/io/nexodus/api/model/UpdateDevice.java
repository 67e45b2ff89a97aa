package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/**
 * Body of {@code PATCH /api/devices/{id}}; null = unchanged. A different {@code vpc_id} moves the device (new
 * addresses when the address pool differs). {@code revision}, when non-zero, must equal the current revision
 * (optimistic concurrency; 409 otherwise).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UpdateDevice(
        @JsonProperty("vpc_id") UUID vpcId,

        @Limits(maxItems = 256, itemMaxLength = 64) @JsonProperty("advertise_cidrs")
        List<String> advertiseCidrs,

        @JsonProperty("symmetric_nat") Boolean symmetricNat,
        @Limits(maxLength = 255) @JsonProperty("hostname") String hostname,
        @Limits(maxItems = 64) @JsonProperty("endpoints") List<Endpoint> endpoints,
        @Limits(min = 0) @JsonProperty("revision") Long revision,
        @JsonProperty("relay") Boolean relay,
        @JsonProperty("security_group_id") UUID securityGroupId) {

    /** An empty update; use the {@code with*} methods to set fields. */
    public static UpdateDevice empty() {
        return new UpdateDevice(null, null, null, null, null, null, null, null);
    }

    public UpdateDevice withEndpoints(List<Endpoint> e) {
        return new UpdateDevice(vpcId, advertiseCidrs, symmetricNat, hostname, e, revision, relay, securityGroupId);
    }

    public UpdateDevice withHostname(String h) {
        return new UpdateDevice(vpcId, advertiseCidrs, symmetricNat, h, endpoints, revision, relay, securityGroupId);
    }

    public UpdateDevice withSymmetricNat(boolean s) {
        return new UpdateDevice(vpcId, advertiseCidrs, s, hostname, endpoints, revision, relay, securityGroupId);
    }

    public UpdateDevice withAdvertiseCidrs(List<String> a) {
        return new UpdateDevice(vpcId, a, symmetricNat, hostname, endpoints, revision, relay, securityGroupId);
    }

    public UpdateDevice withSecurityGroupId(UUID sg) {
        return new UpdateDevice(vpcId, advertiseCidrs, symmetricNat, hostname, endpoints, revision, relay, sg);
    }
}
