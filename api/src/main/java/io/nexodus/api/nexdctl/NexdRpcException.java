package io.nexodus.api.nexdctl;

/** The agent answered the call with an error (its message is {@link #getMessage()}). */
public final class NexdRpcException extends NexdCtlException {
    private final String method;

    public NexdRpcException(String method, String message) {
        super(message, null);
        this.method = method;
    }

    /** The wire method name, e.g. {@code NexdCtl.ListPeers}. */
    public String method() {
        return method;
    }
}
