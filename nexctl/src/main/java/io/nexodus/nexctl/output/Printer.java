package io.nexodus.nexctl.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.nexodus.api.client.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes command results in the chosen {@link OutputFormat}: tables (with or without header) or the API objects as
 * JSON/YAML. Success messages ("successfully deleted") appear only in the column formats, so JSON/YAML output stays
 * machine-readable. Mappers are created on first use (Jackson's start-up cost is only paid by commands that print).
 */
public final class Printer {
    private final OutputFormat format;
    private final PrintStream out;

    public Printer(OutputFormat format, PrintStream out) {
        this.format = format;
        this.out = out;
    }

    public OutputFormat format() {
        return format;
    }

    public boolean tabular() {
        return format.tabular();
    }

    /** A list: a table with one row per item, or a JSON/YAML array. */
    public <T> void list(Table<T> table, List<T> items) {
        if (format.tabular()) {
            List<List<String>> rows = new ArrayList<>(items.size() + 1);
            if (format == OutputFormat.COLUMN) {
                rows.add(table.headers());
            }
            for (T item : items) {
                rows.add(table.row(item));
            }
            out.print(TabWriter.render(rows));
        } else {
            structured(items);
        }
        out.flush();
    }

    /** One object: a one-row table, or a JSON/YAML object. */
    public <T> void item(Table<T> table, T item) {
        if (format.tabular()) {
            list(table, item == null ? List.of() : List.of(item));
        } else {
            structured(item);
            out.flush();
        }
    }

    /** A message for people, e.g. "successfully deleted"; nothing in JSON/YAML formats. */
    public void success(String message) {
        if (format.tabular()) {
            out.println(message);
            out.flush();
        }
    }

    /** Any value: its JSON/YAML in those formats, else the given text. */
    public void value(Object structured, String text) {
        if (format.tabular()) {
            out.print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
        } else {
            structured(structured);
        }
        out.flush();
    }

    private void structured(Object value) {
        out.print(render(format, value));
    }

    /** The JSON or YAML text of a value (with a trailing newline) for a structured format. */
    public static String render(OutputFormat format, Object value) {
        try {
            return switch (format) {
                case JSON -> Mappers.PRETTY.writeValueAsString(value) + "\n";
                case JSON_RAW -> Mappers.JSON.writeValueAsString(value) + "\n";
                case YAML -> Mappers.YAML.writeValueAsString(value);
                case COLUMN, NO_HEADER -> throw new IllegalArgumentException("not a structured format: " + format);
            };
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode output: " + e.getMessage(), e);
        }
    }

    /** Holder: the mappers are built when first used. */
    private static final class Mappers {
        static final ObjectMapper JSON = Json.configure(JsonMapper.builder().build());
        /** Go's MarshalIndent(v, "", "    "): 4 spaces, "key": value, empty [] and {}. */
        static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("")
                        .withArrayEmptySeparator(""))
                .withObjectIndenter(new DefaultIndenter("    ", "\n"))
                .withArrayIndenter(new DefaultIndenter("    ", "\n")));

        static final ObjectMapper YAML = Json.configure(new YAMLMapper(YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .build()));

        private Mappers() {}
    }
}
