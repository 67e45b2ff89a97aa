package io.nexodus.server.auth;

import io.nexodus.server.http.ApiError;
import java.util.UUID;

/** Who is calling: a user (OIDC access token), a registration key ({@code RK:}) or a device ({@code DT:}). */
public sealed interface Principal
        permits Principal.UserPrincipal, Principal.RegKeyPrincipal, Principal.DevicePrincipal {

    /** The user on whose behalf the call happens (for RK/DT: the key's/device's owner). */
    UUID ownerId();

    /**
     * 403 for a registration key: it registers devices, patches and labels those, and reads its VPC and itself; what
     * is in the VPC and removing metadata are not for it.
     */
    static void denyRegKey(Principal p) {
        if (p instanceof RegKeyPrincipal) {
            throw ApiError.forbidden("not allowed with a registration key");
        }
    }

    /** A user logged in through the identity provider. {@code admin}: an administrator of the built-in provider. */
    record UserPrincipal(UUID userId, String username, boolean admin) implements Principal {
        @Override
        public UUID ownerId() {
            return userId;
        }
    }

    /**
     * A registration key: may register devices into {@code vpcId} and patch the devices it created.
     * {@code deviceId} non-null = single use (the one device gets this id).
     */
    record RegKeyPrincipal(
            UUID regKeyId, UUID ownerId, UUID vpcId, UUID organizationId, UUID deviceId, UUID securityGroupId)
            implements Principal {}

    /** A device token: may read its VPC and update itself. */
    record DevicePrincipal(UUID deviceId, UUID ownerId, UUID vpcId, UUID organizationId) implements Principal {}
}
