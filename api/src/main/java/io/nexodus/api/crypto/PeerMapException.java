package io.nexodus.api.crypto;

/** A peer map that must not be used; the message says which check it failed. */
public final class PeerMapException extends Exception {
    public PeerMapException(String message) {
        super(message);
    }

    public PeerMapException(String message, Throwable cause) {
        super(message, cause);
    }
}
