package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/** A local login account of the built-in identity provider; {@code user_id} is its API user. */
public record Account(
        @JsonProperty("id") UUID id,
        @JsonProperty("username") String username,
        @JsonProperty("full_name") String fullName,
        @JsonProperty("email") String email,
        @JsonProperty("admin") boolean admin,
        @JsonProperty("user_id") UUID userId) {}
