package io.nexodus.nexctl.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PrinterTest {
    record Row(String name, List<String> ips, Boolean ok) {}

    static final Table<Row> TABLE = Table.<Row>builder()
            .col("NAME", Row::name)
            .col("IPS", Row::ips)
            .col("OK", Row::ok)
            .build();
    static final List<Row> ROWS =
            List.of(new Row("a", List.of("100.64.0.1", "fd00::1"), true), new Row("longer-name", List.of(), null));

    private static String print(OutputFormat f, Consumer<Printer> body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        body.accept(new Printer(f, new PrintStream(b, true, StandardCharsets.UTF_8)));
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void columnsAlignLikeGosTabwriter() {
        assertThat(print(OutputFormat.COLUMN, p -> p.list(TABLE, ROWS))).isEqualTo("""
                        NAME            IPS                     OK
                        a               100.64.0.1, fd00::1     true
                        longer-name
                        """);
        assertThat(print(OutputFormat.NO_HEADER, p -> p.list(TABLE, ROWS.subList(0, 1))))
                .isEqualTo("a         100.64.0.1, fd00::1     true\n");
        assertThat(TabWriter.render(List.of(List.of("x\ny", "tab\there", "last"))))
                .isEqualTo("x y       tab here     last\n");
        assertThat(TabWriter.render(List.of(List.of("✓ Reachable", "z")))).isEqualTo("✓ Reachable     z\n");
        assertThat(TabWriter.render(List.of())).isEmpty();
    }

    @Test
    void structuredFormats() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", "a");
        v.put("ips", List.of("100.64.0.1"));
        v.put("none", List.of());
        v.put("empty", Map.of());
        v.put("at", Instant.parse("2026-11-02T10:00:00Z"));
        v.put("count", 7);
        assertThat(print(OutputFormat.JSON, p -> p.value(v, "ignored"))).isEqualTo("""
                {
                    "name": "a",
                    "ips": [
                        "100.64.0.1"
                    ],
                    "none": [],
                    "empty": {},
                    "at": "2026-11-02T10:00:00Z",
                    "count": 7
                }
                """);
        assertThat(print(OutputFormat.JSON_RAW, p -> p.value(v, "ignored")))
                .isEqualTo(
                        "{\"name\":\"a\",\"ips\":[\"100.64.0.1\"],\"none\":[],\"empty\":{},\"at\":\"2026-11-02T10:00:00Z\",\"count\":7}\n");
        assertThat(print(OutputFormat.YAML, p -> p.value(v, "ignored"))).isEqualTo("""
                name: a
                ips:
                - 100.64.0.1
                none: []
                empty: {}
                at: 2026-11-02T10:00:00Z
                count: 7
                """);
        assertThat(print(OutputFormat.COLUMN, p -> p.value(v, "text"))).isEqualTo("text\n");
        assertThat(print(OutputFormat.JSON, p -> p.list(TABLE, List.of()))).isEqualTo("[]\n");
        assertThat(print(OutputFormat.JSON_RAW, p -> p.list(TABLE, ROWS)))
                .isEqualTo(
                        "[{\"name\":\"a\",\"ips\":[\"100.64.0.1\",\"fd00::1\"],\"ok\":true},{\"name\":\"longer-name\",\"ips\":[],\"ok\":null}]\n");
    }

    @Test
    void successMessagesOnlyForPeople() {
        for (OutputFormat f : OutputFormat.values()) {
            assertThat(print(f, p -> p.success("successfully deleted")))
                    .as(f.flag())
                    .isEqualTo(f.tabular() ? "successfully deleted\n" : "");
        }
    }

    @Test
    void cells() {
        assertThat(Cells.text(null)).isEmpty();
        assertThat(Cells.text(List.of("a", "b"))).isEqualTo("a, b");
        assertThat(Cells.text(Map.of("k", 1))).isEqualTo("k=1");
        assertThat(Cells.localTime(Instant.parse("2026-11-02T10:00:00Z"), ZoneId.of("Europe/Berlin")))
                .isEqualTo("2026-11-02 11:00:00 CET");
        assertThat(Cells.ago(Instant.parse("2026-11-02T09:59:00Z"), Instant.parse("2026-11-02T10:00:00Z")))
                .isEqualTo("60 seconds ago");
        assertThat(Cells.ago(null, Instant.now())).isEqualTo("None");
        assertThat(OutputFormat.parse(" JSON ")).isEqualTo(OutputFormat.JSON);
    }
}
