package io.nexodus.e2e.lab;

import io.nexodus.testkit.ChildProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** coturn's {@code turnserver} as a plain STUN server (no TURN, no TLS, no TCP) on one address of a lab node. */
final class Coturn {
    private Coturn() {}

    /** Starts it and returns once it answers a binding request from the node itself. */
    static ChildProcess start(LabNode node, String address, int port) {
        String tag = "turnserver-" + port;
        ChildProcess p = node.spawn(
                tag,
                List.of(
                        "turnserver",
                        "--stun-only",
                        "-n",
                        "--no-cli",
                        "--no-tls",
                        "--no-dtls",
                        "--no-tcp",
                        "--relay-threads",
                        "1",
                        "-L",
                        address,
                        "-p",
                        Integer.toString(port),
                        "--log-file",
                        "stdout",
                        "--simple-log",
                        "--pidfile",
                        node.dir().resolve(tag + ".pid").toString(),
                        "--userdb",
                        node.dir().resolve(tag + ".db").toString()));
        Instant deadline = Instant.now().plusSeconds(15);
        int localPort = 50000 + port % 1000;
        while (Instant.now().isBefore(deadline)) {
            if (!p.isAlive()) {
                throw new IllegalStateException("turnserver exited:\n" + p.output());
            }
            if (StunClient.mappedAddress(node, address, port, localPort, Duration.ofMillis(500))
                    .isPresent()) {
                return p;
            }
        }
        p.close();
        throw new IllegalStateException("turnserver on " + node.name() + " " + address + ":" + port
                + " did not answer within 15 s:\n" + p.output());
    }
}
