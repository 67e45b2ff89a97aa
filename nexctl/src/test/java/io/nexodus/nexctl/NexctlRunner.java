package io.nexodus.nexctl;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs nexctl in-process as a user would run {@code bin/nexctl}: own home and config directory, environment,
 * stdin, clock; captures stdout, stderr and the exit code. A real-service {@code NexctlIT} can use it unchanged
 * with {@code --service-url} pointing at {@code io.nexodus.server.Main}.
 */
public final class NexctlRunner {
    private final Path home;
    private final Map<String, String> env = new HashMap<>();
    private Clock clock = Clock.systemUTC();
    private boolean root;

    public NexctlRunner(Path home) {
        this.home = home;
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    }

    public NexctlRunner env(String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return this;
    }

    public NexctlRunner clock(Clock c) {
        this.clock = c;
        return this;
    }

    public NexctlRunner root(boolean asRoot) {
        this.root = asRoot;
        return this;
    }

    public Path home() {
        return home;
    }

    public Path configDir() {
        return home.resolve(".config").resolve("nexodus");
    }

    /** The result of one run. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    public Result run(String... args) {
        return runWithStdin("", args);
    }

    public Result runWithStdin(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        boolean root = this.root;
        CliEnvironment e = new CliEnvironment(
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                () -> null,
                home,
                clock,
                () -> root);
        int rc = Nexctl.run(args, e);
        return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code base} followed by {@code more}. */
    public static String[] args(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
