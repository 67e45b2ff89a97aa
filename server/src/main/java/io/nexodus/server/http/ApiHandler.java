package io.nexodus.server.http;

/**
 * A route's logic. Returns the response body (serialized as JSON with the route's success status), a {@link Reply},
 * a {@link ListReply}, a {@link RawReply}, or null after writing a streaming response itself.
 */
@FunctionalInterface
public interface ApiHandler {
    Object handle(Call call) throws Exception;
}
