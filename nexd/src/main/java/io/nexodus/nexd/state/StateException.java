package io.nexodus.nexd.state;

/** The state file cannot be read or written; the message says which file and why. */
public final class StateException extends Exception {
    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
