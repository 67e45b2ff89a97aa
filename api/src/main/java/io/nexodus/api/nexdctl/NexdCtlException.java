package io.nexodus.api.nexdctl;

/**
 * A control-socket call failed: the agent could not be reached ({@link NexdUnreachableException}), answered with an
 * error ({@link NexdRpcException}) or with something that is not the protocol ({@link NexdProtocolException}), or
 * is another version ({@link NexdVersionMismatchException}).
 */
public abstract sealed class NexdCtlException extends RuntimeException
        permits NexdUnreachableException, NexdRpcException, NexdProtocolException, NexdVersionMismatchException {
    NexdCtlException(String message, Throwable cause) {
        super(message, cause);
    }
}
