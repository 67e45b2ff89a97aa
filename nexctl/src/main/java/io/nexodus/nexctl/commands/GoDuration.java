package io.nexodus.nexctl.commands;

import io.nexodus.core.time.DurationSyntax;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Picocli's view of core's {@link DurationSyntax}: upstream's duration syntax ({@code 90m},
 * {@code 1h30m}, {@code 7d}, {@code PT12H}); nexctl's durations must be positive.
 */
public final class GoDuration implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        try {
            return DurationSyntax.parsePositive(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
