package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /api/organizations}. */
public record AddOrganization(
        @Limits(maxLength = 255) @JsonProperty("name") String name,

        @Limits(maxLength = 1000) @JsonProperty("description")
        String description) {}
