package io.nexodus.nexctl;

/** nexctl's exit codes (also in {@code nexctl --help} and docs/nexctl.md). */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** The service or nexd answered with an error (not found, conflict, forbidden, validation, version mismatch...). */
    public static final int ERROR = 1;
    /** Bad command line: unknown command/option, missing or malformed value. */
    public static final int USAGE = 2;
    /** Not logged in, login failed, or the session expired: run {@code nexctl login}. */
    public static final int AUTH = 3;
    /** Cannot reach the service or nexd: connection refused, DNS, TLS failure, timeout, no socket. */
    public static final int UNREACHABLE = 4;

    private ExitCodes() {}
}
