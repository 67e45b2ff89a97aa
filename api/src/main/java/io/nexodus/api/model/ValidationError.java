package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** 400/422: a request field is missing or invalid. */
public record ValidationError(
        @JsonProperty("error") String error,
        @JsonProperty("field") String field,
        @JsonProperty("reason") String reason) implements ErrorBody {}
