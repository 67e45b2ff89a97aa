package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * 400/422: a request field is missing or invalid. {@code field} is the name upstream clients know (e.g.
 * {@code ip_range}); {@code path}, when present, is the JSON path of the offending value in the request body (e.g.
 * {@code inbound_rules[1].ip_ranges[0]}) so a form can show the error next to the input.
 */
public record ValidationError(
        @JsonProperty("error") String error,
        @JsonProperty("field") String field,
        @JsonProperty("reason") String reason,

        @JsonProperty("path") @JsonInclude(JsonInclude.Include.NON_NULL)
        String path)
        implements ErrorBody {
    public ValidationError(String error, String field, String reason) {
        this(error, field, reason, null);
    }
}
