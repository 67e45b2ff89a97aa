package io.nexodus.nexctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.nexdctl.NexodusVersion;
import io.nexodus.nexctl.commands.SecurityGroupCommand;
import io.nexodus.nexctl.commands.VpcCommand;
import io.nexodus.nexctl.nexd.NexdCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Parsing and validation: nothing reaches the service unless the command line makes sense. */
class CommandLineTest {
    @TempDir
    Path home;

    CannedService svc;
    NexctlRunner nexctl;

    @BeforeEach
    void setUp() throws IOException {
        svc = new CannedService();
        nexctl = new NexctlRunner(home).env("NEXCTL_SERVICE_URL", svc.url().toString());
    }

    @AfterEach
    void tearDown() {
        svc.close();
    }

    /** Every command and group has a usage text with a description and -h/--help. */
    @Test
    void everyCommandHasHelp() {
        List<CommandLine> all = new ArrayList<>();
        collect(Nexctl.commandLine(TestEnv.quiet(home)), all);
        assertThat(all).hasSizeGreaterThan(60);
        for (CommandLine cl : all) {
            String name = cl.getCommandSpec().qualifiedName();
            String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertThat(usage).as(name).startsWith("Usage: " + name);
            assertThat(cl.getCommandSpec().usageMessage().description())
                    .as("description of " + name)
                    .isNotEmpty();
            assertThat(cl.getCommandSpec().optionsMap()).as(name).containsKeys("--help", "--output", "--service-url");
        }
        // and running --help prints it, exits 0, and sends nothing
        for (String[] args : new String[][] {
            {"--help"}, {"vpc", "--help"}, {"nexd", "peers", "list", "-h"}, {"reg-key", "create", "--help"}
        }) {
            NexctlRunner.Result r = nexctl.run(args);
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).startsWith("Usage: nexctl");
        }
        assertThat(nexctl.run("--help").out()).contains("Exit codes: 0 ok").contains("NEXCTL_SERVICE_URL");
        assertThat(nexctl.run("vpc", "--help").out()).doesNotContain("Exit codes"); // the footer is the root's only
        assertThat(svc.requests()).isEmpty();
    }

    /** Help a newcomer can act on: every option and argument says what it is, every summary is a whole sentence. */
    @Test
    void everyOptionIsDescribedAndEverySummaryIsASentence() {
        List<CommandLine> all = new ArrayList<>();
        collect(Nexctl.commandLine(TestEnv.quiet(home)), all);
        List<String> problems = new ArrayList<>();
        for (CommandLine cl : all) {
            CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
            String name = spec.qualifiedName();
            String summary = spec.usageMessage().description()[0];
            if (!summary.matches("[A-Z`].*[.)]") && !summary.matches("[A-Z`].*\\.\\)")) {
                problems.add(name + ": summary is not a sentence: " + summary);
            }
            for (CommandLine.Model.OptionSpec o : spec.options()) {
                if (o.description().length == 0 || o.description()[0].isBlank()) {
                    problems.add(name + " " + o.longestName() + ": no description");
                }
            }
            for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
                if (p.description().length == 0 || p.description()[0].isBlank()) {
                    problems.add(name + " " + p.paramLabel() + ": no description");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    private static void collect(CommandLine cl, List<CommandLine> out) {
        if (cl.getCommand() instanceof CommandLine.HelpCommand) {
            return;
        }
        out.add(cl);
        cl.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandName().equals(name)) {
                collect(sub, out);
            } // skip aliases
        });
    }

    @Test
    void usageErrorsExitWith2AndSendNothing() {
        record Case(List<String> args, String message) {}
        List<Case> cases = List.of(
                new Case(List.of("vpcs", "lst"), "Unmatched argument at index 5: 'lst'"),
                new Case(List.of("frobnicate"), "Unmatched argument at index 4: 'frobnicate'"),
                new Case(List.of("vpc"), "Missing required subcommand"),
                new Case(List.of(), "Missing required subcommand"),
                new Case(
                        List.of("vpc", "delete"),
                        "error: Missing required argument (specify one of these): (VPC_ID | --vpc-id=UUID)"),
                new Case(List.of("vpc", "delete", "--vpc-id", "nope"), "Invalid value for option '--vpc-id'"),
                new Case(List.of("vpc", "delete", "nope"), "VPC_ID): cannot convert 'nope' to UUID"),
                new Case(
                        List.of("vpc", "delete", Fixtures.VPC_ID, "--vpc-id", Fixtures.VPC_ID),
                        "error: VPC_ID, --vpc-id=UUID are mutually exclusive"),
                new Case(
                        List.of("vpc", "list", "--output", "xml"),
                        "'xml' is not an output format; use one of column, no-header, json, json-raw, yaml"),
                new Case(List.of("reg-key", "create", "--expiration", "soon"), "'soon' is not a duration"),
                new Case(List.of("reg-key", "create", "--expiration", "-1h"), "is not a duration"),
                new Case(List.of("reg-key", "create", "--settings", "{bad"), "--settings is not valid JSON"),
                new Case(
                        List.of("reg-key", "create", "--settings", "[1]"),
                        "--settings is not valid JSON of the expected shape"),
                new Case(List.of("reg-key", "update", "--reg-key-id", Fixtures.REGKEY_ID), "nothing to update"),
                new Case(
                        List.of(
                                "reg-key",
                                "update",
                                "--reg-key-id",
                                Fixtures.REGKEY_ID,
                                "--expiration",
                                "1h",
                                "--no-expiration"),
                        "--expiration and --no-expiration exclude each other"),
                new Case(List.of("invitation", "create"), "give exactly one of --user-id and --email"),
                new Case(
                        List.of("invitation", "create", "--user-id", Fixtures.USER_ID, "--email", "a@b"),
                        "give exactly one of"),
                new Case(List.of("device", "update", "--device-id", Fixtures.DEVICE_ID), "nothing to update"),
                new Case(
                        List.of(
                                "device",
                                "metadata",
                                "set",
                                "--device-id",
                                Fixtures.DEVICE_ID,
                                "--key",
                                "k",
                                "--value",
                                "not json"),
                        "--value is not valid JSON (quote text values"),
                new Case(
                        List.of("security-group", "create", "--inbound-rules", "{\"ip_protocol\":\"tcp\"}"),
                        "--inbound-rules is not valid JSON of the expected shape"),
                new Case(
                        List.of("security-group", "update", "--security-group-id", Fixtures.SG_ID),
                        "nothing to update"),
                new Case(List.of("completion", "fish"), "unsupported shell 'fish'"),
                new Case(List.of("nexd", "set", "debug"), "Missing required parameter: 'on|off'"));
        for (Case c : cases) {
            NexctlRunner.Result r = nexctl.run(NexctlRunner.args(
                    List.of("--username", "admin", "--password", "secret"),
                    c.args().toArray(String[]::new)));
            assertThat(r.exitCode()).as(c + "\n" + r).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err())
                    .as(c.toString())
                    .contains("error: ")
                    .contains(c.message())
                    .contains("--help' for more information");
            assertThat(r.out()).as(c.toString()).isEmpty();
        }
        assertThat(svc.apiRequests()).isEmpty();
        assertThat(nexctl.run("vpcs", "lst").err()).contains("Did you mean: vpc list?");
        NexctlRunner.Result group = nexctl.run("vpc");
        assertThat(group.err())
                .startsWith("Usage: nexctl vpc")
                .contains("list          List the VPCs")
                .endsWith("error: Missing required subcommand\nTry 'nexctl vpc --help' for more information.\n");
    }

    @Test
    void globalOptionsWorkBeforeOrAfterTheCommandAndFromTheEnvironment() {
        svc.on("GET /api/users/me", 200, Fixtures.USER);
        String[][] variants = {
            {"--output", "json-raw", "user", "get-current"},
            {"user", "--output", "json-raw", "get-current"},
            {"user", "get-current", "--output=json-raw"},
            {"user", "get-current", "-o", "json-raw"},
        };
        for (String[] v : variants) {
            NexctlRunner.Result r =
                    nexctl.run(NexctlRunner.args(List.of("--username", "admin", "--password", "secret"), v));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).startsWith("{\"id\":");
        }
        nexctl.env("NEXCTL_OUTPUT", "yaml").env("NEXCTL_USERNAME", "admin").env("NEXCTL_PASSWORD", "secret");
        assertThat(nexctl.run("user", "get-current").out()).startsWith("id: ");
        assertThat(nexctl.run("user", "get-current", "-o", "json-raw").out()).startsWith("{\"id\":"); // the flag wins
        NexctlRunner.Result r = nexctl.env("NEXCTL_OUTPUT", "bogus").run("user", "get-current");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void onlyTheNamedTopLevelCommandIsModelled() {
        assertThat(Nexctl.commandFor(new String[] {"vpc", "list"})).isEqualTo(VpcCommand.class);
        assertThat(Nexctl.commandFor(
                        new String[] {"--service-url", "http://x", "-o", "json", "--debug", "vpcs", "list"}))
                .isEqualTo(VpcCommand.class);
        assertThat(Nexctl.commandFor(new String[] {"--output=json", "-ojson", "nexd", "status"}))
                .isEqualTo(NexdCommand.class);
        assertThat(Nexctl.commandFor(new String[] {"sg", "list"})).isEqualTo(SecurityGroupCommand.class);
        for (String[] all : new String[][] {
            {},
            {"--help"},
            {"-h", "vpc"},
            {"-V"},
            {"frobnicate"},
            {"completion", "bash"},
            {"help", "vpc"},
            {"--", "vpc"},
            {"--username", "u"}
        }) {
            assertThat(Nexctl.commandFor(all)).as(List.of(all).toString()).isNull();
        }
    }

    @Test
    void versionNeedsNoService() {
        nexctl.env("NEXCTL_SERVICE_URL", "http://127.0.0.1:1");
        assertThat(nexctl.run("version").out()).isEqualTo("version: " + NexodusVersion.current() + "\n");
        assertThat(nexctl.run("version", "-o", "json-raw").out())
                .isEqualTo("{\"version\":\"" + NexodusVersion.current() + "\"}\n");
        assertThat(nexctl.run("--version").out()).isEqualTo("nexctl " + NexodusVersion.current() + "\n");
        assertThat(nexctl.run("help", "vpc").out()).startsWith("Usage: nexctl vpc");
    }
}
