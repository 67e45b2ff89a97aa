package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One line of a watch stream. {@code type}: {@code change} (value = the row), {@code delete} (value = the row as it
 * was deleted), {@code tail} (no value: the initial list is complete), {@code error} (value = {@link BaseError};
 * the stream ends).
 */
public record WatchEvent(
        @JsonProperty("kind") String kind,
        @JsonProperty("type") String type,

        @JsonProperty("value") @JsonInclude(JsonInclude.Include.NON_NULL)
        JsonNode value) {

    public static final String TYPE_CHANGE = "change";
    public static final String TYPE_DELETE = "delete";
    public static final String TYPE_TAIL = "tail";
    public static final String TYPE_ERROR = "error";
}
