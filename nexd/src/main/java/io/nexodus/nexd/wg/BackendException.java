package io.nexodus.nexd.wg;

/** The WireGuard data plane refused or failed an operation; the message says what and why. */
public final class BackendException extends Exception {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
