package io.nexodus.api.client;

/** Base of every failure of the API client: {@link ApiException} (the service answered with an error status) or
 * {@link ApiTransportException} (no usable answer: connection, TLS, timeout, malformed body). */
public abstract sealed class NexodusClientException extends RuntimeException
        permits ApiException, ApiTransportException {
    NexodusClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
