package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** 404: {@code resource} names what was not found (or is not visible to the caller). */
public record NotFoundError(
        @JsonProperty("error") String error,
        @JsonProperty("resource") String resource) implements ErrorBody {
    public static final String MESSAGE = "not found";
}
