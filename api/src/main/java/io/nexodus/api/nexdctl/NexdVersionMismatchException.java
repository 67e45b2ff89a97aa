package io.nexodus.api.nexdctl;

/** The agent runs another version than this nexctl; upstream refuses to talk across versions, so do we. */
public final class NexdVersionMismatchException extends NexdCtlException {
    private final String ours;
    private final String theirs;

    public NexdVersionMismatchException(String ours, String theirs) {
        super("version mismatch: nexctl " + ours + ", nexd " + theirs, null);
        this.ours = ours;
        this.theirs = theirs;
    }

    public String ours() {
        return ours;
    }

    public String theirs() {
        return theirs;
    }
}
