package io.nexodus.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RequiresNetns
class NetnsIT {
    @Test
    void vethLinkPassesTrafficAndCloseRemovesEverything(@TempDir Path tmp) throws Exception {
        String nameA;
        ChildProcess sleeper;
        try (Netns a = Netns.create("kitA");
                Netns b = Netns.create("kitB")) {
            nameA = a.name();
            Netns.link(a, "va", "10.9.0.1/24", b, "vb", "10.9.0.2/24");
            assertThat(a.exec("ping", "-c", "1", "-W", "2", "10.9.0.2").stdout())
                    .contains("1 received");
            sleeper = b.spawn(tmp.resolve("sleep.log"), List.of("sh", "-c", "echo started; exec sleep 600"));
            sleeper.awaitOutput("started", Duration.ofSeconds(10));
            assertThat(b.pids()).isNotEmpty();
        }
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(Cmd.run("ip", "netns", "list").stdout()).doesNotContain(nameA);
        assertThat(Files.exists(tmp.resolve("sleep.log"))).isTrue();
    }
}
