package io.nexodus.nexctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nexctl completion bash} prints a script bash accepts and that completes our commands. */
class CompletionTest {
    @TempDir
    Path home;

    @Test
    void bashScriptIsValidAndCompletesCommandsAndOptionValues() throws Exception {
        NexctlRunner nexctl = new NexctlRunner(home);
        NexctlRunner.Result r = nexctl.run("completion", "bash");
        assertThat(r.exitCode()).isZero();
        String script = r.out();
        assertThat(script)
                .contains("complete -F _complete_nexctl")
                .contains("reg-key")
                .contains("security-group")
                .contains("peers");
        assertThat(nexctl.run("completion").out()).isEqualTo(script);
        assertThat(nexctl.run("completion", "zsh").out()).isEqualTo(script);

        Path file = home.resolve("nexctl.bash");
        Files.writeString(file, script);
        // syntax check, then ask the completion function what follows "nexctl vpc " and "nexctl vpc list --output "
        assertThat(bash("bash -n " + file)).isEmpty();
        String words = bash(
                "source " + file + "; COMP_WORDS=(nexctl vpc ''); COMP_CWORD=2; COMP_LINE='nexctl vpc '; COMP_POINT=11;"
                        + " _complete_nexctl; echo \"${COMPREPLY[@]}\"");
        assertThat(List.of(words.strip().split("\\s+"))).contains("list", "create", "delete", "metadata");
        String outputs = bash("source " + file + "; COMP_WORDS=(nexctl vpc list --output ''); COMP_CWORD=4;"
                + " COMP_LINE='nexctl vpc list --output '; COMP_POINT=25; _complete_nexctl; echo \"${COMPREPLY[@]}\"");
        assertThat(List.of(outputs.strip().split("\\s+"))).contains("column", "json", "yaml", "no-header", "json-raw");
    }

    private static String bash(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
