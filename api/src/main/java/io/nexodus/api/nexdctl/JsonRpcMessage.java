package io.nexodus.api.nexdctl;

/** A JSON-RPC 1.0 message: a request (has {@code method}) or a response (has {@code result}/{@code error}). */
public sealed interface JsonRpcMessage permits JsonRpcRequest, JsonRpcResponse {}
