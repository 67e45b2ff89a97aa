package io.nexodus.nexctl.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GoDurationTest {
    @Test
    void convertsUpstreamsSyntaxAndRefusesZero() {
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("7d")).isEqualTo(Duration.ofDays(7));
        // the syntax itself is core's DurationSyntax (tested there); nexctl refuses zero and says why
        for (String bad : new String[] {"", "1x", "-1h", "0s", "0"}) {
            assertThatThrownBy(() -> GoDuration.parse(bad))
                    .as(bad)
                    .isInstanceOf(CommandLine.TypeConversionException.class)
                    .hasMessageContaining("duration");
        }
    }
}
