package io.nexodus.server.db;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** JSON text columns: arrays, rules, metadata values and settings are stored as JSON text on both databases. */
public final class JsonText {
    private JsonText() {}

    public static String write(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(String text, TypeReference<T> type) {
        try {
            return Json.mapper().readValue(text, type);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt JSON column: " + e.getMessage(), e);
        }
    }

    public static List<String> strings(String text) {
        return text == null ? List.of() : read(text, new TypeReference<List<String>>() {});
    }

    public static JsonNode tree(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt JSON column: " + e.getMessage(), e);
        }
    }

    public static Map<String, JsonNode> map(String text) {
        return text == null ? Map.of() : read(text, new TypeReference<Map<String, JsonNode>>() {});
    }
}
