package io.nexodus.api.nexdctl;

/**
 * Answers one JSON-RPC request. Runs on the connection's virtual thread and may block. A thrown
 * {@link RuntimeException} becomes an error response carrying its message.
 */
@FunctionalInterface
public interface JsonRpcHandler {
    JsonRpcResponse handle(JsonRpcRequest request);
}
