package io.nexodus.api.nexdctl;

import java.nio.file.Path;

/** No answer from the agent: no socket file, nobody listening, no permission, or no reply in time. */
public final class NexdUnreachableException extends NexdCtlException {
    /** Why, for choosing a hint. */
    public enum Reason {
        NO_SOCKET,
        NOT_LISTENING,
        PERMISSION_DENIED,
        TIMEOUT,
        CONNECTION_LOST
    }

    private final Path socket;
    private final Reason reason;

    public NexdUnreachableException(Path socket, Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.socket = socket;
        this.reason = reason;
    }

    public Path socket() {
        return socket;
    }

    public Reason reason() {
        return reason;
    }
}
