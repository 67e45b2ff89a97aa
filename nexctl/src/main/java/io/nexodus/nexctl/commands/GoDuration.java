package io.nexodus.nexctl.commands;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations as upstream's flags take them (Go's {@code time.ParseDuration}: {@code 90m}, {@code 1h30m}, {@code 2.5h},
 * {@code 300s}), plus days ({@code 7d}) and ISO-8601 ({@code PT1H}, {@code P7D}). Must be positive.
 */
public final class GoDuration implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String s = value == null ? "" : value.strip();
        if (s.isEmpty()) {
            throw new CommandLine.TypeConversionException("empty duration");
        }
        if (s.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return positive(value, Duration.parse(s.toUpperCase(Locale.ROOT)));
            } catch (DateTimeParseException e) {
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
        return positive(value, Duration.ofNanos((long) nanos));
    }

    private static Duration positive(String value, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new CommandLine.TypeConversionException("'" + value + "': the duration must be positive");
        }
        return d;
    }

    private static CommandLine.TypeConversionException bad(String value) {
        return new CommandLine.TypeConversionException(
                "'" + value + "' is not a duration (examples: 30m, 24h, 1h30m, 7d, PT12H)");
    }
}
