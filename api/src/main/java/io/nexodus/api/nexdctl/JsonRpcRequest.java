package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Objects;

/**
 * A JSON-RPC 1.0 request {@code {"method":"NexdCtl.Status","params":[""],"id":1}}. Go's {@code net/rpc} sends exactly
 * one parameter; {@code id} is any JSON value the server echoes back.
 */
@JsonPropertyOrder({"method", "params", "id"})
public record JsonRpcRequest(
        @JsonProperty("method") String method,
        @JsonProperty("params") List<JsonNode> params,
        @JsonProperty("id") JsonNode id)
        implements JsonRpcMessage {

    public JsonRpcRequest {
        Objects.requireNonNull(method, "method");
        params = params == null ? List.of() : List.copyOf(params);
        id = id == null ? JsonNodeFactory.instance.nullNode() : id;
    }

    /** A request with one string parameter (what every {@code NexdCtl} call sends; {@code ""} when unused). */
    public static JsonRpcRequest of(String method, String param, long id) {
        return new JsonRpcRequest(
                method, List.of(TextNode.valueOf(param == null ? "" : param)), JsonNodeFactory.instance.numberNode(id));
    }

    /** The first parameter as text; {@code ""} when there is none or it is null. */
    public String stringParam() {
        if (params.isEmpty() || params.getFirst() == null || params.getFirst().isNull()) {
            return "";
        }
        JsonNode p = params.getFirst();
        return p.isTextual() ? p.textValue() : p.toString();
    }
}
