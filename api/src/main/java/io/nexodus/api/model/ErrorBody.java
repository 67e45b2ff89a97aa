package io.nexodus.api.model;

/** The JSON body of every 4xx/5xx response: each shape has at least {@code error}. */
public sealed interface ErrorBody
        permits BaseError, ValidationError, ConflictsError, NotFoundError, NotAllowedError, InternalServerError {
    String error();
}
