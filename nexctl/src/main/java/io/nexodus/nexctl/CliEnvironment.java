package io.nexodus.nexctl;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Everything nexctl takes from the process around it, so tests run the whole CLI in-process: environment variables,
 * the standard streams, the console (for password prompts; null when there is no terminal), the home directory,
 * the clock, and whether we run as root (which decides the default nexd socket).
 */
public record CliEnvironment(
        Map<String, String> env,
        PrintStream out,
        PrintStream err,
        InputStream in,
        Console console,
        Path home,
        Clock clock,
        boolean root) {

    public CliEnvironment {
        env = Map.copyOf(env);
    }

    /** The real process environment. */
    public static CliEnvironment system() {
        Console c = System.console();
        return new CliEnvironment(System.getenv(), new PrintStream(System.out, false, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8), System.in,
                c != null && c.isTerminal() ? c : null, Path.of(System.getProperty("user.home")), Clock.systemUTC(),
                io.nexodus.api.nexdctl.NexdCtl.isRoot());
    }

    public String getenv(String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** {@code $XDG_CONFIG_HOME/nexodus} (when absolute, as the XDG spec asks) or {@code ~/.config/nexodus}. */
    public Path configDir() {
        String xdg = getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && Path.of(xdg).isAbsolute() ? Path.of(xdg) : home.resolve(".config");
        return base.resolve("nexodus");
    }
}
