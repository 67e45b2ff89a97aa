package io.nexodus.nexctl.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** How values become table cells. */
public final class Cells {
    /** Upstream's local time layout {@code 2006-01-02 15:04:05 MST}. */
    private static final DateTimeFormatter LOCAL_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss zzz", Locale.ENGLISH);

    private Cells() {}

    /** null → "", collections joined with ", ", JSON as compact JSON, everything else {@code toString()}. */
    public static String text(Object v) {
        return switch (v) {
            case null -> "";
            case String s -> s;
            case JsonNode n -> n.isTextual() ? n.textValue() : n.toString();
            case Collection<?> c -> c.stream().map(Cells::text).collect(Collectors.joining(", "));
            case Map<?, ?> m ->
                m.isEmpty()
                        ? ""
                        : m.entrySet().stream()
                                .map(e -> text(e.getKey()) + "=" + text(e.getValue()))
                                .collect(Collectors.joining(", "));
            default -> v.toString();
        };
    }

    /** An instant in the local time zone, upstream's layout; "" for null. */
    public static String localTime(Instant t, ZoneId zone) {
        return t == null ? "" : LOCAL_TIME.format(t.atZone(zone));
    }

    /** "N seconds ago" as upstream's {@code nexctl nexd peers list}, or "None". */
    public static String ago(Instant t, Instant now) {
        if (t == null) {
            return "None";
        }
        long s = Math.max(0, Duration.between(t, now).toSeconds());
        return s + " seconds ago";
    }
}
