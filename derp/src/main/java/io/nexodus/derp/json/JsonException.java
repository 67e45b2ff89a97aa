package io.nexodus.derp.json;

/** Malformed or unexpected JSON from the network or a file: a typed, checked error. */
public final class JsonException extends Exception {
    public JsonException(String message) {
        super(message);
    }
}
