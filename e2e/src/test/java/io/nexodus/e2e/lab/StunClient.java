package io.nexodus.e2e.lab;

import io.nexodus.testkit.Cmd;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code stun} client (stun-client 0.97), run on a lab node: RFC 3489 "test 1" (a plain binding request)
 * from a fixed local UDP port, reading the {@code MappedAddress} line of its verbose output. Without an answer the
 * client retries forever, so every call has a timeout and "no mapping" means "no answer in time".
 */
final class StunClient {
    /** Long enough for an answer on a loaded 2-core machine; an answer normally takes a few milliseconds. */
    static final Duration ANSWER = Duration.ofSeconds(5);
    /** How long to wait before concluding that no answer will come. */
    static final Duration SILENCE = Duration.ofSeconds(1);

    private static final Pattern MAPPED = Pattern.compile("MappedAddress = (\\d+\\.\\d+\\.\\d+\\.\\d+:\\d+)");

    private StunClient() {}

    /** The mapped address ({@code ip:port}) {@code server:serverPort} reports for {@code localPort} on {@code from}. */
    static Optional<String> mappedAddress(
            LabNode from, String server, int serverPort, int localPort, Duration timeout) {
        Cmd.Result r =
                from.tryExec(timeout, "stun", server + ":" + serverPort, "1", "-v", "-p", Integer.toString(localPort));
        Matcher m = MAPPED.matcher(r.stdout() + "\n" + r.stderr());
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** As {@link #mappedAddress(LabNode, String, int, int, Duration)}, failing with the output when there is no answer. */
    static String mapped(LabNode from, String server, int localPort) {
        return mappedAddress(from, server, 3478, localPort, ANSWER)
                .orElseThrow(() -> new AssertionError(
                        from.name() + " got no STUN answer from " + server + ":3478 (local port " + localPort + ")"));
    }

    /** True if no answer arrives within {@link #SILENCE}. */
    static boolean silent(LabNode from, String server, int serverPort, int localPort) {
        return mappedAddress(from, server, serverPort, localPort, SILENCE).isEmpty();
    }

    static int port(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    static String ip(String endpoint) {
        return endpoint.substring(0, endpoint.lastIndexOf(':'));
    }
}
