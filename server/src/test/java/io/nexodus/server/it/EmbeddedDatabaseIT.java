package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.server.NexodusServer;
import io.nexodus.server.ServerConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 database serves one process: a second service process on the same database file (another data
 * directory, the same {@code --db-url}) stops at once with one line saying so, instead of waiting for the file.
 */
class EmbeddedDatabaseIT {
    @TempDir
    Path dir;

    @Test
    void aSecondProcessOnTheSameH2FileStopsAtOnceSayingWhy() throws Exception {
        Path holder = dir.resolve("HoldH2.java");
        Files.writeString(holder, """
                public class HoldH2 {
                    public static void main(String[] a) throws Exception {
                        try (var c = java.sql.DriverManager.getConnection(a[0])) {
                            System.out.println("open");
                            System.out.flush();
                            System.in.read(); // until the test closes our stdin
                        }
                    }
                }
                """);
        String url = "jdbc:h2:file:" + dir.resolve("shared").toAbsolutePath() + ";MODE=PostgreSQL";
        String h2 = Path.of(Class.forName("org.h2.Driver")
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process other = new ProcessBuilder(java, "-cp", h2, holder.toString(), url)
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).as("the other process has the file open").isEqualTo("open");

            ServerConfig cfg = ServerConfig.forTests(Files.createDirectory(dir.resolve("data")))
                    .withDb(url, null, null);
            NexodusServer second = new NexodusServer(cfg, Clock.systemUTC(), List.of());
            long t0 = System.nanoTime();
            assertThatThrownBy(second::start)
                    .hasMessageContaining("is open in another process")
                    .hasMessageContaining("several replicas need PostgreSQL");
            second.close();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0))
                    .as("no waiting for the file")
                    .isLessThan(10);
        } finally {
            other.getOutputStream().close();
            if (!other.waitFor(10, TimeUnit.SECONDS)) {
                other.destroyForcibly();
            }
        }
    }
}
