package io.nexodus.api.client;

/** The request did not get a usable answer: connection refused/reset, TLS failure, timeout, or an unreadable body. */
public final class ApiTransportException extends NexodusClientException {
    public ApiTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
