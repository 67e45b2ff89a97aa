package io.nexodus.server.http;

import java.util.HashMap;
import java.util.Map;

/**
 * A non-JSON body (HTML page, Prometheus text, a console file). Not a record: the body bytes are handed to the response
 * as they are (a record would suggest value semantics for the array). Extra headers (e.g. Content-Security-Policy,
 * Cache-Control) override the defaults.
 */
public final class RawReply {
    private final int status;
    private final String contentType;
    private final byte[] body;
    private final Map<String, String> headers;

    public RawReply(int status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of());
    }

    public RawReply(int status, String contentType, byte[] body, Map<String, String> headers) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.headers = Map.copyOf(headers);
    }

    public int status() {
        return status;
    }

    public String contentType() {
        return contentType;
    }

    /** The body as given (not copied). */
    public byte[] body() {
        return body;
    }

    /** This reply with one more header. */
    public RawReply withHeader(String name, String value) {
        Map<String, String> h = new HashMap<>(headers);
        h.put(name, value);
        return new RawReply(status, contentType, body, h);
    }

    public Map<String, String> headers() {
        return headers;
    }
}
