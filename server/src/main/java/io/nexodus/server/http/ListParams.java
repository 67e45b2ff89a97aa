package io.nexodus.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * react-admin list parameters applied to a list of resources (as JSON objects): {@code filter} (equality per field;
 * for array fields: the array contains the value), {@code sort} (one field, ASC/DESC; nulls last), {@code range}
 * (inclusive). Unknown fields are a 400 with field filter/sort (upstream passed them to SQL unchecked).
 */
record ListParams(String sortField, boolean descending, Map<String, JsonNode> filter, int start, int end) {
    static final int MAX_PAGE = 10_000;

    static ListParams parse(Call call, ObjectMapper json, String defaultSort) {
        String sortField = defaultSort;
        boolean desc = false;
        var s = call.query("sort");
        if (s.isPresent() && !s.get().isBlank()) {
            try {
                JsonNode n = json.readTree(s.get());
                if (!n.isArray()
                        || n.size() != 2
                        || !n.get(0).isTextual()
                        || !n.get(1).isTextual()) {
                    throw new IllegalArgumentException();
                }
                sortField = n.get(0).asText();
                String dir = n.get(1).asText().toUpperCase(Locale.ROOT);
                if (!dir.equals("ASC") && !dir.equals("DESC")) {
                    throw new IllegalArgumentException();
                }
                desc = dir.equals("DESC");
            } catch (Exception e) {
                throw ApiError.invalid("sort", "expected [\"field\",\"ASC\"|\"DESC\"]");
            }
        }
        Map<String, JsonNode> filter = new LinkedHashMap<>();
        var f = call.query("filter");
        if (f.isPresent() && !f.get().isBlank()) {
            try {
                JsonNode n = json.readTree(f.get());
                if (!n.isObject()) {
                    throw new IllegalArgumentException();
                }
                n.properties().forEach(e -> filter.put(e.getKey(), e.getValue()));
            } catch (Exception e) {
                throw ApiError.invalid("filter", "expected a JSON object");
            }
        }
        int start = 0, end = Integer.MAX_VALUE;
        var r = call.query("range");
        if (r.isPresent() && !r.get().isBlank()) {
            try {
                JsonNode n = json.readTree(r.get());
                if (!n.isArray()
                        || n.size() != 2
                        || !n.get(0).canConvertToInt()
                        || !n.get(1).canConvertToInt()) {
                    throw new IllegalArgumentException();
                }
                start = n.get(0).asInt();
                end = n.get(1).asInt();
                if (start < 0 || end < start || (long) end - start + 1 > MAX_PAGE) {
                    throw new IllegalArgumentException();
                }
            } catch (Exception e) {
                throw ApiError.invalid(
                        "range", "expected [start,end] with 0 <= start <= end and at most " + MAX_PAGE + " items");
            }
        }
        return new ListParams(sortField, desc, filter, start, end);
    }

    /** Filters, sorts and slices; returns the page and the total after filtering. */
    Page apply(List<ObjectNode> items) {
        List<ObjectNode> kept = new ArrayList<>();
        for (ObjectNode o : items) {
            boolean ok = true;
            for (Map.Entry<String, JsonNode> e : filter.entrySet()) {
                if (!o.has(e.getKey())) {
                    if (!items.isEmpty()) {
                        throw ApiError.invalid("filter", "unknown field " + e.getKey());
                    }
                }
                if (!matches(o.get(e.getKey()), e.getValue())) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                kept.add(o);
            }
        }
        if (sortField != null && !sortField.isEmpty()) {
            if (!kept.isEmpty() && !kept.get(0).has(sortField)) {
                throw ApiError.invalid("sort", "unknown field " + sortField);
            }
            Comparator<ObjectNode> c = (a, b) -> compare(a.get(sortField), b.get(sortField));
            kept.sort(descending ? c.reversed() : c);
        }
        int total = kept.size();
        int from = Math.min(start, total);
        int to = (int) Math.min((long) end + 1, total);
        return new Page(kept.subList(from, to), total);
    }

    record Page(List<ObjectNode> items, int total) {}

    private static boolean matches(JsonNode have, JsonNode want) {
        if (have == null || have.isNull()) {
            return want == null || want.isNull();
        }
        if (have.isArray() && !want.isArray()) {
            for (Iterator<JsonNode> it = ((ArrayNode) have).elements(); it.hasNext(); ) {
                if (equal(it.next(), want)) {
                    return true;
                }
            }
            return false;
        }
        if (want.isArray() && !have.isArray()) {
            for (JsonNode w : want) {
                if (equal(have, w)) {
                    return true;
                }
            }
            return false;
        }
        return equal(have, want);
    }

    private static boolean equal(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isTextual() && !b.isTextual()) {
            return a.asText().equals(b.asText());
        }
        return a.equals(b);
    }

    private static int compare(JsonNode a, JsonNode b) {
        boolean an = a == null || a.isNull(), bn = b == null || b.isNull();
        if (an || bn) {
            return an == bn ? 0 : an ? 1 : -1;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        if (a.isBoolean() && b.isBoolean()) {
            return Boolean.compare(a.asBoolean(), b.asBoolean());
        }
        return a.asText().compareToIgnoreCase(b.asText());
    }
}
