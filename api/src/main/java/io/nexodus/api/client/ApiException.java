package io.nexodus.api.client;

import io.nexodus.api.model.BaseError;
import io.nexodus.api.model.ConflictsError;
import io.nexodus.api.model.ErrorBody;
import io.nexodus.api.model.InternalServerError;
import io.nexodus.api.model.NotAllowedError;
import io.nexodus.api.model.NotFoundError;
import io.nexodus.api.model.ValidationError;
import java.util.Optional;
import java.util.UUID;

/**
 * The service answered with an error status. {@link #body()} is the decoded error shape; {@link #conflictingId()}
 * gives the existing resource's id on 409 (nexd uses it to switch from create to update).
 */
public final class ApiException extends NexodusClientException {
    private final int status;
    private final ErrorBody body;
    private final String method;
    private final String path;

    public ApiException(int status, ErrorBody body, String method, String path) {
        super(describe(status, body, method, path), null);
        this.status = status;
        this.body = body;
        this.method = method;
        this.path = path;
    }

    public int status() {
        return status;
    }

    public ErrorBody body() {
        return body;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The {@code error} text of the body. */
    public String error() {
        return body.error();
    }

    public boolean isNotFound() {
        return status == 404;
    }

    public boolean isConflict() {
        return status == 409;
    }

    public boolean isUnauthorized() {
        return status == 401;
    }

    public boolean isForbidden() {
        return status == 403;
    }

    /**
     * 410 whose reason starts with {@code device deleted}: a user deleted the device of this WireGuard key, and the
     * service will not let it register again by itself.
     */
    public boolean isDeviceDeleted() {
        return status == 410
                && body instanceof NotAllowedError n
                && n.reason() != null
                && n.reason().startsWith("device deleted");
    }

    /** The {@code reason} of a {@link NotAllowedError} body, or the {@code error} text. */
    public String reason() {
        return body instanceof NotAllowedError n && n.reason() != null ? n.reason() : body.error();
    }

    /** On 409 with a {@link ConflictsError}: the id of the resource that already exists. */
    public Optional<UUID> conflictingId() {
        if (body instanceof ConflictsError c && c.id() != null) {
            try {
                return Optional.of(UUID.fromString(c.id()));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The invalid field of a {@link ValidationError}. */
    public Optional<String> field() {
        return body instanceof ValidationError v ? Optional.ofNullable(v.field()) : Optional.empty();
    }

    static String describe(int status, ErrorBody body, String method, String path) {
        StringBuilder sb = new StringBuilder()
                .append(method)
                .append(' ')
                .append(path)
                .append(": ")
                .append(status)
                .append(' ')
                .append(body.error());
        switch (body) {
            case ValidationError v -> {
                if (v.field() != null && !v.field().isEmpty()) {
                    sb.append(" (field ").append(v.field());
                }
                if (v.reason() != null && !v.reason().isEmpty()) {
                    sb.append(v.field() == null ? " (" : ": ").append(v.reason());
                }
                if ((v.field() != null && !v.field().isEmpty())
                        || (v.reason() != null && !v.reason().isEmpty())) {
                    sb.append(')');
                }
            }
            case ConflictsError c -> sb.append(" (id ").append(c.id()).append(')');
            case NotFoundError n -> {
                if (n.resource() != null) {
                    sb.append(" (").append(n.resource()).append(')');
                }
            }
            case NotAllowedError n -> {
                if (n.reason() != null && !n.reason().isEmpty()) {
                    sb.append(": ").append(n.reason());
                }
            }
            case InternalServerError i -> {
                if (i.traceId() != null) {
                    sb.append(" (trace id ").append(i.traceId()).append(')');
                }
            }
            case BaseError b -> {}
        }
        return sb.toString();
    }
}
