package io.nexodus.server.regkey;

import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.UpdateRegKey;
import io.nexodus.server.http.ApiError;
import java.time.Instant;
import java.util.Map;

/**
 * The checks of each registration-key request body, field by field: a bad field is a 400 ValidationError naming it.
 * Each returns the request normalized.
 */
final class RegKeyRequests {
    private RegKeyRequests() {}

    static AddRegKey validate(AddRegKey in, Instant now) {
        if (in.serviceNetworkId() != null) {
            throw ApiError.invalid("service_network_id", "service networks are not supported");
        }
        if (in.vpcId() == null) {
            throw ApiError.missing("vpc_id");
        }
        if (in.expiresAt() != null && !in.expiresAt().isAfter(now)) {
            throw ApiError.invalid("expires_at", "must be in the future");
        }
        return new AddRegKey(
                in.vpcId(),
                null,
                in.description() == null ? "" : in.description(),
                in.singleUse(),
                in.expiresAt(),
                in.securityGroupId(),
                in.settings() == null ? Map.of() : in.settings());
    }

    /**
     * Absent fields stay null (unchanged); {@code expires_at} of {@link UpdateRegKey#NO_EXPIRY} or the epoch becomes
     * {@link UpdateRegKey#NO_EXPIRY} (remove the expiry), any other must be in the future.
     */
    static UpdateRegKey validate(UpdateRegKey in, Instant now) {
        Instant expires = in.expiresAt();
        if (expires != null) {
            if (expires.equals(UpdateRegKey.NO_EXPIRY) || expires.equals(Instant.EPOCH)) {
                expires = UpdateRegKey.NO_EXPIRY;
            } else if (!expires.isAfter(now)) {
                throw ApiError.invalid("expires_at", "must be in the future");
            }
        }
        return new UpdateRegKey(in.description(), expires, in.securityGroupId(), in.settings());
    }
}
