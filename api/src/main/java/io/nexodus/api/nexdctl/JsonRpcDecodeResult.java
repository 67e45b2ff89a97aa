package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.databind.JsonNode;

/** What {@link JsonRpcCodec#decode(byte[])} made of one frame: a message, or why it is not one. */
public sealed interface JsonRpcDecodeResult {

    /** A well-formed request or response. */
    record Decoded(JsonRpcMessage message) implements JsonRpcDecodeResult {}

    /**
     * Not a JSON-RPC message. {@code id} is the request id when one could be read (so a server can still answer
     * with an error), else null.
     */
    record Invalid(String reason, JsonNode id) implements JsonRpcDecodeResult {}
}
