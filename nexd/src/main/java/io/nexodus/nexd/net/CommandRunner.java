package io.nexodus.nexd.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a system tool ({@code ip}, {@code nft}) and says clearly what failed. An interface so tests can record the
 * commands instead of running them.
 */
@FunctionalInterface
public interface CommandRunner {
    /** Runs {@code argv} with {@code stdin} (may be null); returns stdout; throws with stderr on a non-zero exit. */
    String run(List<String> argv, String stdin) throws NetConfigException;

    /** The real thing: a child process, 10 s at most. */
    CommandRunner SYSTEM = (argv, stdin) -> {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new NetConfigException(
                    "cannot run " + argv.getFirst() + ": " + e.getMessage() + " (is "
                            + (argv.getFirst().equals("nft") ? "nftables" : "iproute2") + " installed?)",
                    e);
        }
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(1 << 20);
            byte[] err = p.getErrorStream().readNBytes(1 << 16);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NetConfigException(String.join(" ", argv) + " did not finish within 10 s", null);
            }
            if (p.exitValue() != 0) {
                String msg = new String(err, StandardCharsets.UTF_8).strip();
                throw new NetConfigException(
                        String.join(" ", argv) + " failed (exit " + p.exitValue() + ")"
                                + (msg.isEmpty() ? "" : ": " + msg),
                        null);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NetConfigException(String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NetConfigException("interrupted while running " + String.join(" ", argv), e);
        }
    };
}
