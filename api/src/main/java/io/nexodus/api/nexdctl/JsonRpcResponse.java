package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * A JSON-RPC 1.0 response {@code {"id":1,"result":"...","error":null}}: exactly one of {@code result} and
 * {@code error} is non-null. As in Go's {@code net/rpc/jsonrpc}, {@code error} is a string and a failed call has
 * {@code "result":null}. Both members are always written (null included), as the 1.0 specification asks.
 */
@JsonPropertyOrder({"id", "result", "error"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record JsonRpcResponse(
        @JsonProperty("id") JsonNode id,
        @JsonProperty("result") JsonNode result,
        @JsonProperty("error") JsonNode error) implements JsonRpcMessage {

    public JsonRpcResponse {
        JsonNodeFactory f = JsonNodeFactory.instance;
        id = id == null ? f.nullNode() : id;
        result = result == null ? f.nullNode() : result;
        error = error == null ? f.nullNode() : error;
    }

    public static JsonRpcResponse success(JsonNode id, String result) {
        return new JsonRpcResponse(id, TextNode.valueOf(result == null ? "" : result), null);
    }

    public static JsonRpcResponse failure(JsonNode id, String message) {
        return new JsonRpcResponse(
                id, null, TextNode.valueOf(message == null || message.isEmpty() ? "error" : message));
    }

    public boolean isError() {
        return !error.isNull();
    }

    /** The error text (a non-string error value is rendered as JSON). */
    public String errorMessage() {
        if (error.isNull()) {
            return null;
        }
        return error.isTextual() ? error.textValue() : error.toString();
    }

    /** The result as text; a non-string result is rendered as JSON; {@code null} for a failed call. */
    public String resultString() {
        if (result.isNull()) {
            return null;
        }
        return result.isTextual() ? result.textValue() : result.toString();
    }
}
