package io.nexodus.nexctl.nexd;

import io.nexodus.api.nexdctl.NexdCtl;
import io.nexodus.api.nexdctl.NexdCtlClient;
import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.nexctl.commands.BaseCommand;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/** A {@code nexctl nexd ...} command: finds the socket and checks that the agent runs our version. */
abstract class NexdBase extends BaseCommand {

    /** The control client for the socket chosen by {@code --unix-socket} (or the default). */
    protected NexdCtlClient client() {
        Path socket = null;
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            if (s.userObject() instanceof NexdCommand n) {
                socket = n.unixSocket;
                break;
            }
        }
        if (socket == null) {
            socket = NexdCtl.defaultSocketPath(env().root(), env().home().toString());
        }
        session().debug("nexd control socket " + socket);
        return new NexdCtlClient(socket);
    }

    /** The client, after making sure the agent runs this nexctl's version (as upstream, to avoid misreadings). */
    protected NexdCtlClient checkedClient() {
        NexdCtlClient c = client();
        c.requireVersion(NexodusVersion.current());
        return c;
    }
}
