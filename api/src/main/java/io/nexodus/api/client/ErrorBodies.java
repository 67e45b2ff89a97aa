package io.nexodus.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.model.BaseError;
import io.nexodus.api.model.ConflictsError;
import io.nexodus.api.model.ErrorBody;
import io.nexodus.api.model.InternalServerError;
import io.nexodus.api.model.NotAllowedError;
import io.nexodus.api.model.NotFoundError;
import io.nexodus.api.model.ValidationError;
import java.nio.charset.StandardCharsets;

/** Decodes an error response body into its shape, tolerating non-JSON bodies (e.g. from a proxy). */
public final class ErrorBodies {
    private ErrorBodies() {}

    public static ErrorBody decode(int status, byte[] body) {
        JsonNode n;
        try {
            n = Json.mapper().readTree(body);
        } catch (Exception e) {
            n = null;
        }
        if (n == null || !n.isObject()) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            if (text.length() > 200) {
                text = text.substring(0, 200) + "...";
            }
            return new BaseError(text.isEmpty() ? "HTTP " + status : text);
        }
        String error = text(n, "error");
        if (error == null) {
            error = "HTTP " + status;
        }
        if (n.has("id") && status == 409) {
            return new ConflictsError(text(n, "id"), error);
        }
        if (n.has("field")) {
            return new ValidationError(error, text(n, "field"), text(n, "reason"), text(n, "path"));
        }
        if (n.has("resource")) {
            return new NotFoundError(error, text(n, "resource"));
        }
        if (n.has("trace_id")) {
            return new InternalServerError(error, text(n, "trace_id"));
        }
        if (n.has("reason")) {
            return new NotAllowedError(error, text(n, "reason"));
        }
        return new BaseError(error);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
