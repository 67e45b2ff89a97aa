package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code {"error": "..."}}: 401, generic 400, and {@code error} watch events. */
public record BaseError(@JsonProperty("error") String error) implements ErrorBody {}
