package io.nexodus.e2e.lab;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The outcome of {@link LabHost#transfer}: whether the server's SHA-256 of what it received matched what was sent.
 *
 * @param ok       checksums matched
 * @param bytes    payload size
 * @param attempts connection attempts it took (more than 1 while a path was still coming up)
 * @param elapsed  time of the successful attempt, {@link Duration#ZERO} if none succeeded
 * @param output   the tool's output, for failure messages
 */
public record TransferResult(boolean ok, long bytes, int attempts, Duration elapsed, String output) {
    private static final Pattern OK = Pattern.compile(
            "^transfer ok bytes=(\\d+) sha256=\\p{XDigit}{64} attempts=(\\d+) millis=(\\d+)$", Pattern.MULTILINE);

    static TransferResult parse(int exitCode, String output) {
        Matcher m = OK.matcher(output);
        if (exitCode == 0 && m.find()) {
            return new TransferResult(
                    true,
                    Long.parseLong(m.group(1)),
                    Integer.parseInt(m.group(2)),
                    Duration.ofMillis(Long.parseLong(m.group(3))),
                    output);
        }
        return new TransferResult(false, 0, 0, Duration.ZERO, "exit " + exitCode + ": " + output);
    }
}
