package io.nexodus.core.time;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as upstream Nexodus's flags take them (Go's {@code time.ParseDuration}: {@code 90m}, {@code 1h30m},
 * {@code 2.5h}, {@code 300s}, {@code 500ms}, {@code 0}), plus days ({@code 7d}) and ISO-8601 ({@code PT1H},
 * {@code P7D}). One parser for every command line and query parameter of the product; callers decide whether zero is
 * allowed.
 */
public final class DurationSyntax {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");
    private static final String EXAMPLES = "examples: 500ms, 30s, 1h30m, 7d, PT12H";

    private DurationSyntax() {}

    /**
     * Parses a non-negative duration.
     *
     * @throws IllegalArgumentException naming the value and giving examples, for anything else (negative, empty,
     *     units missing or unknown, spaces, overflow)
     */
    public static Duration parse(String value) {
        String s = value == null ? "" : value.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration (" + EXAMPLES + ")");
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return nonNegative(value, Duration.parse(s.toUpperCase(Locale.ROOT)));
            } catch (DateTimeParseException | ArithmeticException e) {
                throw bad(value);
            }
        }
        Matcher m = PART.matcher(s);
        int at = 0;
        double nanos = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw bad(value);
            }
            double n = Double.parseDouble(m.group(1));
            nanos += n
                    * switch (m.group(2)) {
                        case "ns" -> 1d;
                        case "us", "µs" -> 1e3;
                        case "ms" -> 1e6;
                        case "s" -> 1e9;
                        case "m" -> 60e9;
                        case "h" -> 3600e9;
                        case "d" -> 86400e9;
                        default -> throw bad(value);
                    };
            at = m.end();
        }
        if (nanos > Long.MAX_VALUE) {
            throw bad(value);
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    /** As {@link #parse}, and refuses zero. */
    public static Duration parsePositive(String value) {
        Duration d = parse(value);
        if (d.isZero()) {
            throw new IllegalArgumentException("'" + value + "': the duration must be positive");
        }
        return d;
    }

    private static Duration nonNegative(String value, Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("'" + value + "': the duration must not be negative");
        }
        return d;
    }

    private static IllegalArgumentException bad(String value) {
        return new IllegalArgumentException("'" + value + "' is not a duration (" + EXAMPLES + ")");
    }
}
