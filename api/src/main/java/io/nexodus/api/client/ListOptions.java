package io.nexodus.api.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * react-admin "simple REST" list parameters: {@code sort=["field","ASC"]}, {@code filter={"field":value}},
 * {@code range=[start,end]} (inclusive). The total number of matching items comes back in {@code X-Total-Count}.
 */
public record ListOptions(
        String sortField, boolean descending, Map<String, Object> filter, Integer start, Integer end) {
    public static final ListOptions NONE = new ListOptions(null, false, Map.of(), null, null);

    public ListOptions {
        filter = Map.copyOf(filter == null ? Map.of() : filter);
    }

    public ListOptions sort(String field, boolean desc) {
        return new ListOptions(field, desc, filter, start, end);
    }

    public ListOptions filter(String field, Object value) {
        Map<String, Object> f = new LinkedHashMap<>(filter);
        f.put(field, value);
        return new ListOptions(sortField, descending, f, start, end);
    }

    /** Items {@code first} to {@code last}, both inclusive, 0-based. */
    public ListOptions range(int first, int last) {
        return new ListOptions(sortField, descending, filter, first, last);
    }

    /** The query string (without '?'), empty if no option is set. */
    public String toQuery() {
        List<String> parts = new ArrayList<>();
        try {
            if (sortField != null) {
                parts.add("sort="
                        + enc(Json.mapper().writeValueAsString(List.of(sortField, descending ? "DESC" : "ASC"))));
            }
            if (!filter.isEmpty()) {
                parts.add("filter=" + enc(Json.mapper().writeValueAsString(filter)));
            }
            if (start != null && end != null) {
                parts.add("range=" + enc("[" + start + "," + end + "]"));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("filter value is not JSON-serializable", e);
        }
        return String.join("&", parts);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
