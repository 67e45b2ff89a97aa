package io.nexodus.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion with a timeout and captures its output. Tests use it for {@code ip}, {@code nft},
 * {@code wg} and friends; a non-zero exit becomes an exception that carries stderr, so failures explain themselves.
 */
public final class Cmd {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private Cmd() {}

    /** The outcome of a finished command. */
    public record Result(List<String> argv, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        public Result orThrow() {
            if (!ok()) {
                throw new CommandFailedException(this);
            }
            return this;
        }
    }

    /** A command that exited non-zero or timed out. */
    public static final class CommandFailedException extends RuntimeException {
        private final Result result;

        CommandFailedException(Result result) {
            super("command failed (exit " + result.exitCode() + "): " + String.join(" ", result.argv())
                    + (result.stderr().isBlank() ? "" : "\n" + result.stderr().strip())
                    + (result.stdout().isBlank()
                            ? ""
                            : "\nstdout: " + result.stdout().strip()));
            this.result = result;
        }

        public Result result() {
            return result;
        }
    }

    /** Runs {@code argv}, throwing {@link CommandFailedException} unless it exits 0. */
    public static Result run(String... argv) {
        return tryRun(DEFAULT_TIMEOUT, List.of(argv)).orThrow();
    }

    public static Result run(Duration timeout, String... argv) {
        return tryRun(timeout, List.of(argv)).orThrow();
    }

    /** Runs {@code argv} and returns whatever happened; exit code 124 means it timed out and was killed. */
    public static Result tryRun(String... argv) {
        return tryRun(DEFAULT_TIMEOUT, List.of(argv));
    }

    public static Result tryRun(Duration timeout, List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(argv, 127, "", e.getMessage());
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(argv, 124, out.getNow(""), "timed out after " + timeout + "\n" + err.getNow(""));
            }
            return new Result(argv, p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(argv, 130, "", "interrupted");
        }
    }

    /** True if {@code name} is an executable on the PATH. */
    public static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":", -1)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("");
            } catch (UncheckedIOException e) {
                f.complete("");
            }
        });
        return f;
    }
}
