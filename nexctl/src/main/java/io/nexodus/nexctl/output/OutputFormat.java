package io.nexodus.nexctl.output;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** The {@code --output} formats, as upstream plus YAML. */
public enum OutputFormat {
    /** Aligned columns with a header (the default). */
    COLUMN("column"),
    /** Aligned columns without the header line (for scripts that cut columns). */
    NO_HEADER("no-header"),
    /** Pretty-printed JSON of the API objects. */
    JSON("json"),
    /** JSON on one line. */
    JSON_RAW("json-raw"),
    /** YAML of the API objects. */
    YAML("yaml");

    private final String flag;

    OutputFormat(String flag) {
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }

    /** Tables and success messages are only printed in the column formats. */
    public boolean tabular() {
        return this == COLUMN || this == NO_HEADER;
    }

    public static OutputFormat parse(String s) {
        String v = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
        for (OutputFormat f : values()) {
            if (f.flag.equals(v)) {
                return f;
            }
        }
        throw new CommandLine.TypeConversionException("'" + s + "' is not an output format; use one of " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(OutputFormat::flag).collect(Collectors.joining(", "));
    }

    /** picocli converter. */
    public static final class Converter implements CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            return parse(value);
        }
    }

    /** Completion candidates for {@code --output}. */
    public static final class Candidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(OutputFormat::flag).iterator();
        }
    }
}
