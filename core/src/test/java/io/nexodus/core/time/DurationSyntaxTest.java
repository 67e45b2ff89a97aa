package io.nexodus.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationSyntaxTest {
    @Test
    void parsesGoAndIsoDurations() {
        assertThat(DurationSyntax.parse("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationSyntax.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationSyntax.parse("2.5h")).isEqualTo(Duration.ofMinutes(150));
        assertThat(DurationSyntax.parse("300s")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationSyntax.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationSyntax.parse("0.5s")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationSyntax.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(DurationSyntax.parse(" 5s ")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationSyntax.parse("PT12H")).isEqualTo(Duration.ofHours(12));
        assertThat(DurationSyntax.parse("p1d")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void zeroIsADurationButNotAPositiveOne() {
        assertThat(DurationSyntax.parse("0")).isZero();
        assertThat(DurationSyntax.parse("0s")).isZero();
        assertThat(DurationSyntax.parse("PT0S")).isZero();
        assertThatThrownBy(() -> DurationSyntax.parsePositive("0s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
        assertThat(DurationSyntax.parsePositive("1ms")).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void refusesWithTheValueNamed() {
        for (String bad : new String[] {
            "", "1", "h", "1x", "1h 30m", "-1h", "PT-1H", "1h30", "99999999999999999999h", "P", "5 s", "s5", ".5s"
        }) {
            assertThatThrownBy(() -> DurationSyntax.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("duration");
        }
        assertThatThrownBy(() -> DurationSyntax.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
