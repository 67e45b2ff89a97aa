package io.nexodus.nexd.net;

/** The host's network could not be configured as needed; the message names the command and its error. */
public final class NetConfigException extends Exception {
    public NetConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
