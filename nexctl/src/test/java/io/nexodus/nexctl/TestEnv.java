package io.nexodus.nexctl;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** Environments for tests that only build the command line. */
final class TestEnv {
    private TestEnv() {}

    static CliEnvironment quiet(Path home) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        return new CliEnvironment(
                Map.of(),
                nowhere,
                nowhere,
                new ByteArrayInputStream(new byte[0]),
                () -> null,
                home,
                Clock.systemUTC(),
                () -> false);
    }
}
