package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /api/organizations}. */
public record AddOrganization(
        @JsonProperty("name") String name,
        @JsonProperty("description") String description) {}
