package io.nexodus.nexctl;

import io.nexodus.api.nexdctl.NexdCtl;
import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Everything nexctl takes from the process around it, so tests run the whole CLI in-process: environment variables,
 * the standard streams, the terminal (for password prompts; it yields null when there is none), the home directory,
 * the clock, and whether we run as root (which decides the default nexd socket). The terminal and the root check are
 * asked for only when needed: looking up the console alone costs a CLI run ~10 ms.
 */
public record CliEnvironment(
        Map<String, String> env,
        PrintStream out,
        PrintStream err,
        InputStream in,
        Supplier<Console> terminal,
        Path home,
        Clock clock,
        BooleanSupplier rootCheck) {

    public CliEnvironment {
        env = Map.copyOf(env);
    }

    /** The real process environment. */
    public static CliEnvironment system() {
        return new CliEnvironment(
                System.getenv(),
                new PrintStream(System.out, false, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8),
                System.in,
                () -> Optional.ofNullable(System.console())
                        .filter(Console::isTerminal)
                        .orElse(null),
                homeOf(System.getenv()),
                Clock.systemUTC(),
                NexdCtl::isRoot);
    }

    /**
     * {@code $HOME} when set (and absolute), else the account's home directory: what {@code ~} means to the shell (and
     * to upstream's Go nexctl), so {@code HOME=/tmp/x nexctl ...} keeps its login there. Java's {@code user.home}
     * comes from the password database and ignores {@code $HOME}.
     */
    public static Path homeOf(Map<String, String> env) {
        String home = env.get("HOME");
        return home != null && !home.isBlank() && Path.of(home).isAbsolute()
                ? Path.of(home)
                : Path.of(System.getProperty("user.home"));
    }

    /** The terminal to prompt on, or null when there is none. */
    public Console console() {
        return terminal.get();
    }

    /** Whether nexctl runs as root. */
    public boolean root() {
        return rootCheck.getAsBoolean();
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
