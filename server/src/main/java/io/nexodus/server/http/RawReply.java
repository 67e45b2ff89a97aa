package io.nexodus.server.http;

/**
 * A non-JSON body (HTML page, Prometheus text). Not a record: the body bytes are handed to the response as they are
 * (a record would suggest value semantics for the array).
 */
public final class RawReply {
    private final int status;
    private final String contentType;
    private final byte[] body;

    public RawReply(int status, String contentType, byte[] body) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
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
}
