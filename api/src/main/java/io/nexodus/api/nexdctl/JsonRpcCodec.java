package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.nexodus.api.client.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes single JSON-RPC 1.0 messages. Framing is Go's: each message is one JSON object, written
 * followed by a newline; readers accept consecutive objects with or without whitespace between them
 * ({@link JsonRpcFrameReader}). {@link #decode} never throws: bad input comes back as {@link
 * JsonRpcDecodeResult.Invalid}.
 */
public final class JsonRpcCodec {
    private static final ObjectMapper JSON = Json.mapper();

    private JsonRpcCodec() {}

    /** The message as compact JSON plus a trailing newline. */
    public static byte[] encode(JsonRpcMessage message) {
        try {
            byte[] body = JSON.writeValueAsBytes(message);
            byte[] framed = new byte[body.length + 1];
            System.arraycopy(body, 0, framed, 0, body.length);
            framed[body.length] = '\n';
            return framed;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode JSON-RPC message: " + e.getMessage(), e);
        }
    }

    /** Decodes one frame (one JSON object). */
    public static JsonRpcDecodeResult decode(byte[] frame) {
        JsonNode n;
        try {
            n = JSON.readTree(frame);
        } catch (Exception e) { // Jackson's parse and constraint errors; network input must not throw out of a loop
            return new JsonRpcDecodeResult.Invalid("malformed JSON: " + firstLine(e.getMessage()), null);
        }
        if (n == null || !n.isObject()) {
            return new JsonRpcDecodeResult.Invalid("a JSON-RPC message must be a JSON object", null);
        }
        JsonNode id = n.get("id");
        JsonNode method = n.get("method");
        if (method != null && !method.isNull()) {
            if (!method.isTextual()) {
                return new JsonRpcDecodeResult.Invalid("\"method\" must be a string", id);
            }
            JsonNode params = n.get("params");
            List<JsonNode> list = new ArrayList<>();
            if (params != null && !params.isNull()) {
                if (!params.isArray()) {
                    return new JsonRpcDecodeResult.Invalid("\"params\" must be an array", id);
                }
                ((ArrayNode) params).forEach(list::add);
            }
            return new JsonRpcDecodeResult.Decoded(new JsonRpcRequest(method.textValue(), list, id));
        }
        if (n.has("result") || n.has("error")) {
            return new JsonRpcDecodeResult.Decoded(new JsonRpcResponse(id, n.get("result"), n.get("error")));
        }
        return new JsonRpcDecodeResult.Invalid(
                "neither a request (\"method\") nor a response (\"result\"/\"error\")", id);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
