package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** OIDC userinfo of the caller. */
public record UserInfoResponse(
        @JsonProperty("sub") String sub,
        @JsonProperty("preferred_username") String preferredUsername,
        @JsonProperty("given_name") String givenName,
        @JsonProperty("updated_at") long updatedAt,
        @JsonProperty("family_name") String familyName,
        @JsonProperty("picture") String picture,
        @JsonProperty("email_verified") boolean emailVerified,
        @JsonProperty("email") String email) {}
