package io.nexodus.node;

import java.io.IOException;

/**
 * {@link NexodusNode.Builder#start()} could not join the VPC: the service refused the credentials, the state
 * directory is unusable, or the node was not running within the start timeout (the message then says what it was
 * waiting for, e.g. {@code cannot register this device: ... (retrying)}). The message is for people.
 */
public final class NodeStartException extends IOException {
    private static final long serialVersionUID = 1L;

    public NodeStartException(String message) {
        super(message);
    }

    public NodeStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
