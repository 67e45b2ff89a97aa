package io.nexodus.e2e.scenario;

import io.nexodus.e2e.lab.LabHost;
import io.nexodus.testkit.ChildProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A continuous ping (every 50 ms, timestamps from {@code ping -D}) from a lab host to an address, to time when packets
 * pass again after something broke them: the recovery time of a NAT mapping change, the time to the first packet.
 */
public final class PingProbe implements AutoCloseable {
    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+)\\.(\\d+)\\] \\d+ bytes from", Pattern.MULTILINE);

    private final ChildProcess process;

    private PingProbe(ChildProcess process) {
        this.process = process;
    }

    public static PingProbe start(LabHost from, String address) {
        return new PingProbe(from.spawn(
                "ping-" + address.replace(':', '_'),
                List.of("ping", "-n", "-D", "-O", "-i", "0.05", "-W", "1", address)));
    }

    /** Reply times so far. */
    public List<Instant> replies() {
        List<Instant> out = new ArrayList<>();
        Matcher m = REPLY.matcher(process.output());
        while (m.find()) {
            String frac = (m.group(2) + "000000000").substring(0, 9);
            out.add(Instant.ofEpochSecond(Long.parseLong(m.group(1)), Long.parseLong(frac)));
        }
        return out;
    }

    /** Waits for the first reply after {@code since}; empty if none comes within {@code timeout}. */
    public Optional<Instant> firstReplyAfter(Instant since, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Instant t : replies()) {
                if (t.isAfter(since)) {
                    return Optional.of(t);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        process.close();
    }
}
