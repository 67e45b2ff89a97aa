package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** 400/403/405: the operation is not allowed; {@code reason} says why. */
public record NotAllowedError(
        @JsonProperty("error") String error,
        @JsonProperty("reason") String reason) implements ErrorBody {
    public static final String MESSAGE = "operation not allowed";
}
