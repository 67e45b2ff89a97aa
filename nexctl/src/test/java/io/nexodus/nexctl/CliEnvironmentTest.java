package io.nexodus.nexctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where nexctl keeps its login: {@code ~} as the shell means it, then the XDG rule. */
class CliEnvironmentTest {
    private static final Path ACCOUNT_HOME = Path.of(System.getProperty("user.home"));

    @Test
    void homeIsDollarHomeWhenSetLikeTheShellsTilde() {
        assertThat(CliEnvironment.homeOf(Map.of("HOME", "/tmp/someone"))).isEqualTo(Path.of("/tmp/someone"));
        assertThat(CliEnvironment.homeOf(Map.of())).isEqualTo(ACCOUNT_HOME);
        assertThat(CliEnvironment.homeOf(Map.of("HOME", ""))).isEqualTo(ACCOUNT_HOME);
        assertThat(CliEnvironment.homeOf(Map.of("HOME", "relative/dir"))).isEqualTo(ACCOUNT_HOME);
    }

    @Test
    void configDirFollowsXdgConfigHomeWhenAbsolute() {
        Path home = Path.of("/tmp/someone");
        assertThat(env(Map.of(), home).configDir()).isEqualTo(Path.of("/tmp/someone/.config/nexodus"));
        assertThat(env(Map.of("XDG_CONFIG_HOME", "/tmp/cfg"), home).configDir()).isEqualTo(Path.of("/tmp/cfg/nexodus"));
        assertThat(env(Map.of("XDG_CONFIG_HOME", "cfg"), home).configDir())
                .isEqualTo(Path.of("/tmp/someone/.config/nexodus"));
    }

    private static CliEnvironment env(Map<String, String> vars, Path home) {
        CliEnvironment quiet = TestEnv.quiet(home);
        return new CliEnvironment(
                vars, quiet.out(), quiet.err(), quiet.in(), () -> null, home, quiet.clock(), () -> false);
    }
}
