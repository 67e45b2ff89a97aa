package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/** Body of {@code POST /api/invitations}: exactly one of {@code user_id} and {@code email}; roles default to member. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddInvitation(
        @JsonProperty("user_id") UUID userId,
        @Limits(maxLength = 320) @JsonProperty("email") String email,
        @JsonProperty("organization_id") UUID organizationId,

        @Limits(maxItems = 8, itemMaxLength = 16) @JsonProperty("roles")
        List<String> roles) {}
