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
                "--tls", "--url", "--oidc-issuer", "--log-format", "NEXAPI_"}) {
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
    }
}
