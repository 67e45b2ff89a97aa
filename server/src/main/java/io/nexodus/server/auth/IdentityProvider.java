package io.nexodus.server.auth;

import io.nexodus.api.model.DeviceStartResponse;
import io.nexodus.server.user.Users;

/** Where users log in: the built-in issuer ({@link LocalIdp}) or an external OIDC issuer ({@link ExternalOidc}). */
public interface IdentityProvider {
    /** What {@code POST /device/login/start} answers: issuer, device endpoint, client id, server time. */
    DeviceStartResponse deviceStart();

    /** Verifies an access token (signature, issuer, audience, expiry); throws a 401 ApiError otherwise. */
    Verified verify(String jwt);

    /** A verified token: the user's claims, and whether it is an administrator of the built-in issuer. */
    record Verified(Users.Claims claims, boolean admin) {}
}
