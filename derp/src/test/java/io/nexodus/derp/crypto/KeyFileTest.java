package io.nexodus.derp.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.core.key.NodePrivateKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {
    @Test
    void createsOnFirstRunAndReusesAfter(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("sub/derper.key");
        NodePrivateKey first = KeyFile.loadOrCreate(f);
        assertThat(Files.readString(f)).matches("(?s)\\{\"PrivateKey\": \"privkey:[0-9a-f]{64}\"\\}\\s*");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-------");
        assertThat(KeyFile.loadOrCreate(f)).isEqualTo(first);
    }

    @Test
    void readsUpstreamFormatAndRejectsGarbage(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("k");
        String hex = "08".repeat(31) + "48";
        Files.writeString(f, "{\"PrivateKey\":\"privkey:" + hex + "\"}");
        assertThat(KeyFile.load(f).toText()).isEqualTo("privkey:" + hex);
        Files.writeString(f, "{\"PrivateKey\":\"nodekey:" + hex + "\"}");
        assertThatThrownBy(() -> KeyFile.load(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("privkey");
        Files.writeString(f, "not json");
        assertThatThrownBy(() -> KeyFile.load(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString());
    }
}
