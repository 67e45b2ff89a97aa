package io.nexodus.api.nexdctl;

/** The socket answered with something that is not a valid reply (not nexd, or a broken one). */
public final class NexdProtocolException extends NexdCtlException {
    public NexdProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
