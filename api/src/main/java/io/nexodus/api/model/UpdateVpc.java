package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code PATCH /api/vpcs/{id}}; null = unchanged. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UpdateVpc(
        @Limits(maxLength = 1000) @JsonProperty("description")
        String description) {}
