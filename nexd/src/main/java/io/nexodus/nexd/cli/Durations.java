package io.nexodus.nexd.cli;

import io.nexodus.core.time.DurationSyntax;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Durations on the command line, in core's {@link DurationSyntax} (upstream's Go syntax: {@code 500ms}, {@code 5s},
 * {@code 2m}, {@code 1h30m}; or ISO-8601, {@code PT5S}); positive.
 */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        try {
            return DurationSyntax.parsePositive(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** As {@link Durations}, and {@code 0} (also {@code 0s}, {@code 0h}) for "off". */
    static final class OrZero implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return DurationSyntax.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
