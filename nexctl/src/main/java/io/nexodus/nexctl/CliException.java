package io.nexodus.nexctl;

/** A failure nexctl itself detected, with the message for the user and the exit code ({@link ExitCodes}). */
public final class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }

    public static CliException auth(String message) {
        return new CliException(ExitCodes.AUTH, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
