package io.nexodus.nexctl.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GoDurationTest {
    @Test
    void parsesGoAndIsoDurations() {
        assertThat(GoDuration.parse("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("2.5h")).isEqualTo(Duration.ofMinutes(150));
        assertThat(GoDuration.parse("300s")).isEqualTo(Duration.ofMinutes(5));
        assertThat(GoDuration.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GoDuration.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(GoDuration.parse("PT12H")).isEqualTo(Duration.ofHours(12));
        assertThat(GoDuration.parse("p1d")).isEqualTo(Duration.ofDays(1));
        // the syntax itself is core's DurationSyntax (tested there); nexctl refuses zero and says why
        for (String bad : new String[] {"", "1x", "-1h", "0s", "0"}) {
            assertThatThrownBy(() -> GoDuration.parse(bad))
                    .as(bad)
                    .isInstanceOf(CommandLine.TypeConversionException.class)
                    .hasMessageContaining("duration");
        }
    }
}
