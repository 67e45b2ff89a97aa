package io.nexodus.nexctl.commands;

import io.nexodus.api.nexdctl.NexodusVersion;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code nexctl version}. */
@Command(name = "version", description = "Print the version of nexctl.")
public final class VersionCommand extends BaseCommand {
    @Override
    public void run() {
        String v = NexodusVersion.current();
        out().value(Map.of("version", v), "version: " + v);
    }
}
