package io.nexodus.nexd.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostsFileTest {
    @TempDir
    Path dir;

    @Test
    void theBlockIsAddedReplacedAndRemovedAndNothingElseIsTouched() throws Exception {
        Path f = dir.resolve("hosts");
        String original = "127.0.0.1\tlocalhost\n203.0.113.10 service.nexodus.lab\n";
        Files.writeString(f, original);
        HostsFile h = new HostsFile(f);
        h.pin("relay.corp.internal", InetAddress.getByName("203.0.113.30"));
        assertThat(Files.readString(f))
                .isEqualTo(original + HostsFile.BEGIN + "\n203.0.113.30 relay.corp.internal\n" + HostsFile.END + "\n");
        h.pin("relay.corp.internal", InetAddress.getByName("198.51.100.7"));
        h.pin("b.internal", InetAddress.getByName("203.0.113.31"));
        assertThat(Files.readString(f))
                .isEqualTo(original + HostsFile.BEGIN + "\n203.0.113.31 b.internal\n"
                        + "198.51.100.7 relay.corp.internal\n" + HostsFile.END + "\n");
        // someone appends after our block: kept
        Files.writeString(f, Files.readString(f) + "10.0.0.1 other\n");
        h.clear();
        assertThat(Files.readString(f)).isEqualTo(original + "10.0.0.1 other\n");
        try (var l = Files.list(dir)) {
            assertThat(l.map(p -> p.getFileName().toString()).toList()).containsExactly("hosts");
        }
    }

    @Test
    void aStaleBlockFromACrashedRunIsReplaced() throws Exception {
        Path f = dir.resolve("hosts");
        Files.writeString(
                f, "127.0.0.1 localhost\n" + HostsFile.BEGIN + "\n1.2.3.4 old.internal\n" + HostsFile.END + "\n");
        new HostsFile(f).clear();
        assertThat(Files.readString(f)).isEqualTo("127.0.0.1 localhost\n");
    }
}
