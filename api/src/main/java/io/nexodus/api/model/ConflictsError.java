package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** 409: the resource already exists; {@code id} is the existing one (nexd switches from create to update on it). */
public record ConflictsError(
        @JsonProperty("id") String id,
        @JsonProperty("error") String error) implements ErrorBody {
    public static final String MESSAGE = "resource already exists";
}
