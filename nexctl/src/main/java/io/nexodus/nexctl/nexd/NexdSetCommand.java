package io.nexodus.nexctl.nexd;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code nexctl nexd set debug on|off}. */
@Command(name = "set", description = "Change a setting of nexd.")
final class NexdSetCommand extends NexdBase {

    @Command(name = "debug", description = "Turn nexd's debug logging on or off.")
    void debug(
            @Parameters(paramLabel = "on|off", completionCandidates = OnOff.class, description = "on or off")
                    String value) {
        boolean on = switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default ->
                throw new CommandLine.ParameterException(spec.commandLine(), "expected on or off, not '" + value + "'");
        };
        String result = checkedClient().setDebug(on);
        out().value(Map.of("debug", on), result.strip());
    }

    /** Completion candidates. */
    static final class OnOff implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("on", "off").iterator();
        }
    }
}
