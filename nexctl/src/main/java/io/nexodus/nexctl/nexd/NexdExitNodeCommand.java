package io.nexodus.nexctl.nexd;

import io.nexodus.api.nexdctl.ExitNode;
import io.nexodus.nexctl.output.Table;
import picocli.CommandLine.Command;

/** {@code nexctl nexd exit-node ...}. */
@Command(
        name = "exit-node",
        description = {
            "Send this device's internet traffic through a peer that is an exit node.",
            "Not yet implemented: nexd answers every exit-node request with an error."
        })
final class NexdExitNodeCommand extends NexdBase {

    static Table<ExitNode> table() {
        return Table.<ExitNode>builder()
                .col("ENDPOINT ADDRESS", ExitNode::endpoint)
                .col("PUBLIC KEY", ExitNode::publicKey)
                .build();
    }

    @Command(name = "list", description = "List the exit nodes among the peers.")
    void list() {
        out().list(table(), checkedClient().listExitNodes());
    }

    @Command(name = "enable", description = "Route this device's traffic through an exit node.")
    void enable() {
        String r = checkedClient().enableExitNodeClient();
        out().value(java.util.Map.of("exit_node_client", true), r.strip());
    }

    @Command(name = "disable", description = "Stop routing through the exit node.")
    void disable() {
        String r = checkedClient().disableExitNodeClient();
        out().value(java.util.Map.of("exit_node_client", false), r.strip());
    }
}
