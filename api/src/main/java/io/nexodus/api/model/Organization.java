package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/** An organization: owns VPCs; users belong to it with roles ({@link Roles}). */
public record Organization(
        @JsonProperty("id") UUID id,
        @JsonProperty("name") String name,
        @JsonProperty("description") String description) {}
