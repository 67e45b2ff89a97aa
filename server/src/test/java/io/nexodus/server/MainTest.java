package io.nexodus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    private static String run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return code + "\n" + out + err;
    }

    @Test
    void serveHelpExplainsEveryOption() {
        String help = run("serve", "--help");
        assertThat(help).startsWith("0\n");
        for (String opt : new String[] {"--listen", "--data-dir", "--db-url", "--stun-ports", "--admin-password", "--tls-cert", "--tls-key",
                "--tls", "--url", "--oidc-issuer", "--log-format", "--derp-listen", "--derp-hostname", "--derp-plain-http",
                "--derp-mesh-key", "--derp-mesh-with", "NEXAPI_"}) {
            assertThat(help).contains(opt);
        }
    }

    @Test
    void badArgumentsAreClearErrors() {
        assertThat(run("serve", "--tls", "acme")).startsWith("2\n").contains("--tls accepts only 'self-signed'");
        assertThat(run("serve", "--listen", "nowhere")).startsWith("2\n").contains("HOST:PORT");
        assertThat(run("serve", "--stun-ports", "0,70000")).startsWith("2\n").contains("invalid port");
        assertThat(run("serve", "--tls-cert", "/x.pem")).startsWith("2\n").contains("go together");
        assertThat(run("bogus")).startsWith("2\n").contains("Unmatched argument");
        assertThat(run("serve", "--derp-listen", "nowhere")).startsWith("2\n").contains("--derp-listen needs HOST:PORT (or 'none')");
        assertThat(run("serve", "--derp-listen", "127.0.0.1:x")).startsWith("2\n").contains("port is not a number");
        assertThat(run("serve", "--derp-mesh-key", "abc")).startsWith("2\n").contains("64 hex digits");
        assertThat(run("serve", "--derp-mesh-with", "relay2.example.com")).startsWith("2\n").contains("--derp-mesh-with needs --derp-mesh-key");
    }
}
