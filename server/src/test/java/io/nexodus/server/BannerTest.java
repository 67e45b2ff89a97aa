package io.nexodus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start banner says where the service is, how to log in with nexctl (with exactly the flags needed) and where the CA is. */
class BannerTest {
    static {
        Logger.getLogger("").setLevel(Level.WARNING); // Helidon's INFO lines
    }

    @TempDir
    Path dir;

    private static String banner(NexodusServer s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        s.printBanner(new PrintStream(b, true, StandardCharsets.UTF_8));
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainHttpOnAnotherPortNamesTheServiceUrl() throws Exception {
        try (NexodusServer s = new NexodusServer(ServerConfig.forTests(dir), Clock.systemUTC(), List.of())) {
            s.start();
            String b = banner(s);
            assertThat(b)
                    .startsWith("Nexodus service " + NexodusServer.VERSION + " is serving " + s.url() + "\n")
                    .contains(
                            "  admin:      user 'admin', password as given by --admin-password / NEXAPI_ADMIN_PASSWORD\n")
                    .contains("  log in:     nexctl --service-url " + s.url() + " login --username admin\n")
                    .contains("/oauth/token)\n")
                    .doesNotContain("TLS CA");
        }
    }

    @Test
    void selfSignedTlsAddsTheCaToTheLoginCommandAndTheLauncherPathIsRelativeToTheWorkingDirectory() throws Exception {
        Path cwd = Path.of("").toAbsolutePath();
        String old = System.setProperty("nexodus.home", cwd.toString()); // as bin/nexodus sets it
        try (NexodusServer s =
                new NexodusServer(ServerConfig.forTests(dir).withTlsSelfSigned(true), Clock.systemUTC(), List.of())) {
            s.start();
            Path ca = dir.resolve("tls").resolve("ca.pem").toAbsolutePath();
            assertThat(s.caFile().toAbsolutePath()).isEqualTo(ca);
            assertThat(banner(s))
                    .contains("  log in:     bin/nexctl --service-url " + s.url() + " --ca-cert " + ca
                            + " login --username admin\n")
                    .contains("  TLS CA:     " + ca);
        } finally {
            if (old == null) {
                System.clearProperty("nexodus.home");
            } else {
                System.setProperty("nexodus.home", old);
            }
        }
    }
}
