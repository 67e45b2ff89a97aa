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
    /**
     * The service's history lacks the revision the client resumed from (it lost writes, or was restored from a
     * backup): the client forgets its revision and items; the whole list and a {@code tail} follow.
     */
    public static final String TYPE_RESET = "reset";

    public static final String TYPE_ERROR = "error";
}
