package io.nexodus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    private static String run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return code + "\n" + out + err;
    }

    @Test
    void serveHelpExplainsEveryOption() {
        String help = run("serve", "--help");
        assertThat(help).startsWith("0\n");
        for (String opt : new String[] {
            "--listen",
            "--data-dir",
            "--db-url",
            "--stun-ports",
            "--admin-password",
            "--tls-cert",
            "--tls-key",
            "--tls",
            "--url",
            "--oidc-issuer",
            "--oidc-console-client-id",
            "--log-format",
            "--derp-listen",
            "--derp-hostname",
            "--derp-plain-http",
            "--derp-mesh-key",
            "--derp-mesh-with",
            "--derp-advertise",
            "--shutdown-delay",
            "NEXAPI_"
        }) {
            assertThat(help).contains(opt);
        }
    }

    @Test
    void everyServeOptionNamesTheEnvironmentVariableItReads() {
        int options = 0;
        for (Field f : Main.Serve.class.getDeclaredFields()) {
            CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
            if (o == null) {
                continue;
            }
            options++;
            String name = o.names()[0];
            String env = o.defaultValue().replaceAll("^\\$\\{env:([A-Z_]+).*$", "$1");
            assertThat(env).as(name).startsWith("NEXAPI_");
            assertThat(String.join(" ", o.description())).as(name).contains(env);
            if (f.getType() != boolean.class) {
                assertThat(o.paramLabel())
                        .as(name + " has a readable parameter label")
                        .isNotEmpty();
            }
        }
        assertThat(options)
                .isEqualTo(
                        23); // listen … log-format, shutdown-delay, the console client id, and the six --derp-* options
        // the help text is wrapped by picocli, not by hand: no line is longer than the usage width
        for (String line : run("serve", "--help").split("\n", -1)) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
        }
    }

    @Test
    void defaultDataDirIsUnderTheShellsHomeOrXdgDataHome() {
        Path account = Path.of(System.getProperty("user.home"));
        assertThat(Main.Serve.defaultDataDir(Map.of("HOME", "/tmp/someone")))
                .isEqualTo(Path.of("/tmp/someone/.local/share/nexodus"));
        assertThat(Main.Serve.defaultDataDir(Map.of("HOME", "/tmp/someone", "XDG_DATA_HOME", "/tmp/data")))
                .isEqualTo(Path.of("/tmp/data/nexodus"));
        assertThat(Main.Serve.defaultDataDir(Map.of("HOME", "/tmp/someone", "XDG_DATA_HOME", "relative")))
                .isEqualTo(Path.of("/tmp/someone/.local/share/nexodus"));
        assertThat(Main.Serve.defaultDataDir(Map.of())).isEqualTo(account.resolve(".local/share/nexodus"));
    }

    @Test
    void aMistypedOptionIsOneErrorWithAHintNotTheWholeHelp() {
        String r = run("serve", "--stun-port", "3478");
        assertThat(r)
                .startsWith("2\n")
                .contains("Unknown options: '--stun-port'")
                .contains("Possible solutions: --stun-ports")
                .contains("--stun-ports");
        assertThat(r).contains("Run 'nexodus serve --help' for every option.");
        assertThat(r.lines().count()).isLessThan(8);
    }

    @Test
    void badArgumentsAreClearErrors() {
        assertThat(run("serve", "--tls", "acme")).startsWith("2\n").contains("--tls accepts only 'self-signed'");
        assertThat(run("serve", "--listen", "nowhere")).startsWith("2\n").contains("HOST:PORT");
        assertThat(run("serve", "--stun-ports", "0,70000")).startsWith("2\n").contains("invalid port");
        assertThat(run("serve", "--tls-cert", "/x.pem")).startsWith("2\n").contains("go together");
        assertThat(run("bogus")).startsWith("2\n").contains("Unmatched argument");
        assertThat(run("serve", "--derp-listen", "nowhere"))
                .startsWith("2\n")
                .contains("--derp-listen needs HOST:PORT (or 'none')");
        assertThat(run("serve", "--derp-listen", "127.0.0.1:x"))
                .startsWith("2\n")
                .contains("port is not a number");
        assertThat(run("serve", "--derp-mesh-key", "abc")).startsWith("2\n").contains("64 hex digits");
        assertThat(run("serve", "--derp-mesh-with", "relay2.example.com"))
                .startsWith("2\n")
                .contains("--derp-mesh-with needs --derp-mesh-key");
        assertThat(run("serve", "--shutdown-delay", "5"))
                .startsWith("2\n")
                .contains("--shutdown-delay: '5' is not a duration");
        assertThat(run("serve", "--shutdown-delay", "2m")).startsWith("2\n").contains("at most 60s");
        assertThat(run("serve", "--derp-mesh-key", "abc")).contains("--derp-mesh-key:");
        assertThat(run("serve", "--derp-advertise", "relay.example.com"))
                .startsWith("2\n")
                .contains("--derp-advertise takes an IP address (give a name with --derp-hostname)");
        assertThat(run("serve", "--derp-advertise", "10.0.0.5:99999"))
                .startsWith("2\n")
                .contains("--derp-advertise: port out of range");
    }
}
