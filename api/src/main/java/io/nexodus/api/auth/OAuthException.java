package io.nexodus.api.auth;

/** The identity provider refused a token request; {@link #error()} is the OAuth error code (e.g. invalid_grant). */
public final class OAuthException extends RuntimeException {
    private final int status;
    private final String error;
    private final String description;

    public OAuthException(int status, String error, String description) {
        super(error + (description == null || description.isEmpty() ? "" : ": " + description) + " (HTTP " + status
                + ")");
        this.status = status;
        this.error = error;
        this.description = description == null ? "" : description;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** The {@code error_description}, or "". */
    public String description() {
        return description;
    }
}
