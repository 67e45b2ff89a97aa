package io.nexodus.nexctl.nexd;

import io.nexodus.api.nexdctl.NexdCtlClient;
import io.nexodus.api.nexdctl.NexdStatus;
import io.nexodus.api.nexdctl.NexodusVersion;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code nexctl nexd ...}: the local agent's control socket. */
@Command(
        name = "nexd",
        description = {
            "Control the nexd agent on this host (through its unix socket).",
            "Needs access to the socket: run as nexd's user (root). Every command but",
            "`version` first checks that nexd runs the same version as this nexctl."
        },
        subcommands = {
            NexdGetCommand.class,
            NexdSetCommand.class,
            NexdPeersCommand.class,
            NexdProxyCommand.class,
            NexdExitNodeCommand.class
        })
public final class NexdCommand extends NexdBase {
    @Option(
            names = "--unix-socket",
            scope = ScopeType.INHERIT,
            paramLabel = "PATH",
            description =
                    "nexd's control socket (default /var/run/nexd.sock as root, $HOME/.nexodus/nexd.sock otherwise;"
                            + " env NEXCTL_UNIX_SOCKET).")
    Path unixSocket;

    @Command(name = "version", description = "Show the versions of nexctl and nexd.")
    void version() {
        String ours = NexodusVersion.current();
        String theirs = client().version();
        Map<String, String> v = new LinkedHashMap<>();
        v.put("nexctl", ours);
        v.put("nexd", theirs);
        out().value(v, "nexctl version: " + ours + "\nnexd version: " + theirs);
    }

    @Command(name = "status", description = "Show nexd's state (Starting, WaitingForAuth, Running) and its message.")
    void status() {
        NexdCtlClient c = checkedClient();
        NexdStatus s = c.status();
        out().value(s, s.toWire());
    }
}
