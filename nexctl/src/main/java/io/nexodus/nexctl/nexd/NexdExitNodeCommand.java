package io.nexodus.nexctl.nexd;

import io.nexodus.api.nexdctl.ExitNode;
import io.nexodus.nexctl.output.Table;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nexctl nexd exit-node ...}. */
@Command(
        name = "exit-node",
        description = {
            "Send this device's IPv4 internet traffic through a peer that is an exit node (nexd router --exit-node).",
            "Linux policy routing (table 51820); the service, relays, STUN servers and peers' endpoints bypass it."
                    + " The choice survives restarts of nexd. When the exit node is gone or silent, internet traffic"
                    + " is dropped (fail closed) until it is back or `exit-node disable`."
        })
final class NexdExitNodeCommand extends NexdBase {

    static Table<ExitNode> table() {
        return Table.<ExitNode>builder()
                .col("HOSTNAME", ExitNode::hostname)
                .col("ENDPOINT ADDRESS", ExitNode::endpoint)
                .col("PUBLIC KEY", ExitNode::publicKey)
                .col("IN USE", e -> e.inUse() ? "yes" : "no")
                .build();
    }

    @Command(name = "list", description = "List the VPC's devices that offer themselves as exit nodes.")
    void list() {
        out().list(table(), checkedClient().listExitNodes());
    }

    @Command(
            name = "enable",
            description = "Route this device's IPv4 internet traffic through an exit node (until `disable`).")
    void enable(
            @Parameters(
                            arity = "0..1",
                            paramLabel = "DEVICE",
                            description = "The exit node: host name, device id, public key or tunnel address."
                                    + " Default: the VPC's only exit node.")
                    String device) {
        String r = checkedClient().enableExitNodeClient(device == null ? "" : device);
        out().value(Map.of("exit_node_client", true), r.strip());
    }

    @Command(name = "disable", description = "Stop routing through the exit node; the routing is restored as it was.")
    void disable(
            @Option(
                            names = "--client",
                            hidden = true,
                            description = "Upstream's spelling; this device's client side is what is disabled.")
                    boolean client) {
        String r = checkedClient().disableExitNodeClient();
        out().value(Map.of("exit_node_client", false), r.strip());
    }
}
