package io.nexodus.server.http;

import io.nexodus.api.model.BaseError;
import io.nexodus.api.model.ConflictsError;
import io.nexodus.api.model.ErrorBody;
import io.nexodus.api.model.NotAllowedError;
import io.nexodus.api.model.NotFoundError;
import io.nexodus.api.model.ValidationError;

/** An expected failure of a request: carries the status and the documented error body. Never has a stack trace. */
public final class ApiError extends RuntimeException {
    private final int status;
    private final ErrorBody body;

    public ApiError(int status, ErrorBody body) {
        super(body.error(), null, false, false);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public ErrorBody body() {
        return body;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, new BaseError(message));
    }

    /** 400 with the offending field. */
    public static ApiError invalid(String field, String reason) {
        return new ApiError(400, new ValidationError("request field is invalid", field, reason));
    }

    /** 400: a required field is missing. */
    public static ApiError missing(String field) {
        return new ApiError(400, new ValidationError("request field is required", field, "required"));
    }

    /** 422: the value is syntactically fine but not acceptable (security group rules, as upstream). */
    public static ApiError unprocessable(String field, String reason) {
        return new ApiError(422, new ValidationError("request field is invalid", field, reason));
    }

    /** 422: {@code field} as upstream names it, {@code path} the JSON path of the offending value in the body. */
    public static ApiError unprocessable(String field, String reason, String path) {
        return new ApiError(422, new ValidationError("request field is invalid", field, reason, path));
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, new BaseError(message));
    }

    /** 403: the caller may see the resource but not do this. */
    public static ApiError forbidden(String reason) {
        return new ApiError(403, new NotAllowedError(NotAllowedError.MESSAGE, reason));
    }

    /** 400 NotAllowedError: the operation is not possible in the resource's current state. */
    public static ApiError notAllowed(String reason) {
        return new ApiError(400, new NotAllowedError(NotAllowedError.MESSAGE, reason));
    }

    /** 410 NotAllowedError: what the request would bring back was deliberately removed (a deleted device's key). */
    public static ApiError gone(String reason) {
        return new ApiError(410, new NotAllowedError(NotAllowedError.MESSAGE, reason));
    }

    /** 503: the service cannot answer this yet (it is still starting); the client retries. */
    public static ApiError unavailable(String message) {
        return new ApiError(503, new BaseError(message));
    }

    /** 405: a disabled feature flag. */
    public static ApiError disabled(String flag) {
        return new ApiError(405, new NotAllowedError(NotAllowedError.MESSAGE, flag + " support is disabled"));
    }

    /** 404: does not exist or is not visible to the caller (indistinguishable on purpose). */
    public static ApiError notFound(String resource) {
        return new ApiError(404, new NotFoundError(NotFoundError.MESSAGE, resource));
    }

    /** 409 for a conflict with another resource than an existing copy: {@code message} says which and why. */
    public static ApiError conflict(Object otherId, String message) {
        return new ApiError(409, new ConflictsError(otherId == null ? null : otherId.toString(), message));
    }

    public static ApiError conflict(Object existingId) {
        return new ApiError(
                409, new ConflictsError(existingId == null ? null : existingId.toString(), ConflictsError.MESSAGE));
    }
}
