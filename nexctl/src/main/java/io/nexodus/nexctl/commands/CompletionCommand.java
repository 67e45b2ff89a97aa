package io.nexodus.nexctl.commands;

import java.util.Iterator;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code nexctl completion bash}: prints a completion script. */
@Command(
        name = "completion",
        description = {
            "Print a shell completion script (bash, zsh).",
            "bash: source <(nexctl completion bash)",
            "      (or save it as /etc/bash_completion.d/nexctl)",
            "zsh:  autoload -U +X bashcompinit && bashcompinit",
            "      source <(nexctl completion zsh)"
        })
public final class CompletionCommand extends BaseCommand {
    @Parameters(
            arity = "0..1",
            paramLabel = "SHELL",
            defaultValue = "bash",
            completionCandidates = Shells.class,
            description = "bash (default) or zsh (the bash script, loaded through bashcompinit).")
    String shell;

    @Override
    public void run() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "unsupported shell '" + shell + "': use bash or zsh");
        }
        String script = AutoComplete.bash("nexctl", spec.root().commandLine());
        env().out().print(script);
        env().out().flush();
    }

    /** Completion candidates. */
    static final class Shells implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("bash", "zsh").iterator();
        }
    }
}
