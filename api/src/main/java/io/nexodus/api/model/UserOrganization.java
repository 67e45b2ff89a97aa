package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/** A membership of a user in an organization, with its roles; {@code user} is joined in for convenience. */
public record UserOrganization(
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("organization_id") UUID organizationId,
        @JsonProperty("roles") List<String> roles,
        @JsonProperty("user") User user) {}
