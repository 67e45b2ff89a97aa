package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** 500: no details leak to the client; {@code trace_id} finds the server log line with them. */
public record InternalServerError(
        @JsonProperty("error") String error,
        @JsonProperty("trace_id") String traceId) implements ErrorBody {
    public static final String MESSAGE = "internal server error";
}
