package io.nexodus.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A long-running process started by a test (a daemon, an iperf3 server, a nexd). Its stdout and stderr go to a log
 * file so a failing test can print them. {@link #close()} stops it (SIGTERM, then SIGKILL) with its descendants.
 */
public final class ChildProcess implements AutoCloseable {
    private final List<String> argv;
    private final Process process;
    private final Path log;

    private ChildProcess(List<String> argv, Process process, Path log) {
        this.argv = argv;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code argv} with output appended to {@code log}; {@code env} entries are added to the environment. */
    public static ChildProcess start(Path log, Map<String, String> env, List<String> argv) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder pb = new ProcessBuilder(argv)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            return new ChildProcess(List.copyOf(argv), pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", argv), e);
        }
    }

    public static ChildProcess start(Path log, List<String> argv) {
        return start(log, Map.of(), argv);
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process has written so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "<cannot read " + log + ": " + e.getMessage() + ">";
        }
    }

    /** Waits until the output matches {@code regex}; fails with the output if the process dies or time runs out. */
    public void awaitOutput(String regex, Duration timeout) {
        Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (p.matcher(output()).find()) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("process exited (" + process.exitValue() + ") before printing /" + regex
                        + "/: " + String.join(" ", argv) + "\n" + output());
            }
            sleep(50);
        }
        throw new IllegalStateException("timed out after " + timeout + " waiting for /" + regex + "/ from "
                + String.join(" ", argv) + "\n" + output());
    }

    /** Sends SIGKILL to the process (and its descendants) without waiting for a graceful stop: a crash. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitQuietly(Duration.ofSeconds(10));
    }

    /** SIGTERM, up to 10 s grace, then SIGKILL. Descendants are stopped too. */
    @Override
    public void close() {
        List<ProcessHandle> kids = process.descendants().toList();
        process.destroy();
        if (!waitQuietly(Duration.ofSeconds(10))) {
            process.destroyForcibly();
            waitQuietly(Duration.ofSeconds(5));
        }
        kids.forEach(ProcessHandle::destroyForcibly);
    }

    private boolean waitQuietly(Duration d) {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "ChildProcess[pid=" + process.pid() + ", " + String.join(" ", argv) + "]";
    }
}
