package io.nexodus.api.crypto;

/** A sealed token could not be opened: malformed, unsupported version, or not sealed to this key. */
public final class SealedTokenException extends Exception {
    public SealedTokenException(String message) {
        super(message);
    }

    public SealedTokenException(String message, Throwable cause) {
        super(message, cause);
    }
}
