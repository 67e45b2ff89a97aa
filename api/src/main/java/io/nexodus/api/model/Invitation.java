package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An invitation to join an organization, addressed to a user id or an e-mail address. */
public record Invitation(
        @JsonProperty("id") UUID id,
        @JsonProperty("user_id") UUID userId,
        @JsonProperty("email") String email,
        @JsonProperty("organization_id") UUID organizationId,
        @JsonProperty("organization") Organization organization,
        @JsonProperty("from") User from,
        @JsonProperty("roles") List<String> roles,
        @JsonProperty("expires_at") Instant expiresAt) {}
