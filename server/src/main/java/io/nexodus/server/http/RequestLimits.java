package io.nexodus.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.api.model.Limits;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;

/**
 * Checks a parsed request body against the {@link Limits} declared on the api module's records, so text that does
 * not fit its column, an oversized list or a null list item is a 400 naming the field instead of a database error.
 * The same annotations feed the published OpenAPI document ({@link OpenApiDocument}).
 */
public final class RequestLimits {
    private RequestLimits() {}

    /** Throws {@link ApiError} (400, the offending field) when {@code body} breaks a declared limit. */
    public static void check(Object body, ObjectMapper json) {
        if (body instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                item("[" + i + "]", list.get(i), json);
            }
        } else if (body != null && body.getClass().isRecord()) {
            record("", body, json);
        }
    }

    private static void record(String prefix, Object rec, ObjectMapper json) {
        for (RecordComponent rc : rec.getClass().getRecordComponents()) {
            JsonProperty jp = rc.getAccessor().getAnnotation(JsonProperty.class);
            String field = prefix + (jp != null ? jp.value() : rc.getName());
            Object value;
            try {
                value = rc.getAccessor().invoke(rec);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + field, e);
            }
            Limits l = rc.getAnnotation(Limits.class);
            if (value == null) {
                continue;
            }
            if (l != null) {
                limits(field, value, l, json);
            }
            if (value instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    item(field + "[" + i + "]", list.get(i), json);
                }
            } else if (value.getClass().isRecord()) {
                record(field + ".", value, json);
            }
        }
    }

    private static void item(String field, Object value, ObjectMapper json) {
        if (value == null) {
            throw ApiError.invalid(field, "must not be null");
        }
        if (value.getClass().isRecord()) {
            record(field + ".", value, json);
        }
    }

    private static void limits(String field, Object value, Limits l, ObjectMapper json) {
        if (value instanceof String s) {
            length(field, s.length(), l);
        } else if (value instanceof Number n) {
            long v = n.longValue();
            if (v < l.min() || v > l.max()) {
                throw ApiError.invalid(field, range(l));
            }
        } else if (value instanceof List<?> list) {
            if (l.maxItems() >= 0 && list.size() > l.maxItems()) {
                throw ApiError.invalid(field, "at most " + l.maxItems() + " items");
            }
            if (l.itemMaxLength() >= 0) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof String s && s.length() > l.itemMaxLength()) {
                        throw ApiError.invalid(field + "[" + i + "]", "at most " + l.itemMaxLength() + " characters");
                    }
                }
            }
        } else if (value instanceof Map<?, ?> || value instanceof JsonNode) {
            if (l.maxLength() >= 0) {
                try {
                    if (json.writeValueAsString(value).length() > l.maxLength()) {
                        throw ApiError.invalid(field, "at most " + l.maxLength() + " characters as JSON text");
                    }
                } catch (JsonProcessingException e) {
                    throw ApiError.invalid(field, "not valid JSON");
                }
            }
        }
    }

    private static void length(String field, int length, Limits l) {
        if (l.maxLength() >= 0 && length > l.maxLength()) {
            throw ApiError.invalid(field, "at most " + l.maxLength() + " characters");
        }
        if (l.minLength() >= 0 && length < l.minLength()) {
            throw ApiError.invalid(field, "at least " + l.minLength() + " characters");
        }
    }

    private static String range(Limits l) {
        return l.min() + " to " + l.max();
    }
}
