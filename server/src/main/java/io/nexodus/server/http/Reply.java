package io.nexodus.server.http;

import java.util.Map;

/** A handler result with an explicit status (and optional headers); other results use the route's success status. */
public record Reply(int status, Object body, Map<String, String> headers) {
    public static Reply of(int status, Object body) {
        return new Reply(status, body, Map.of());
    }

    public static Reply noContent() {
        return new Reply(204, null, Map.of());
    }
}
