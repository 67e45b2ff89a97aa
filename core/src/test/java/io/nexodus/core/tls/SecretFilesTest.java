package io.nexodus.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {
    @TempDir
    Path dir;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void secretsAreOwnerOnlyAndPublicFilesReadableAndBothReplaceAtomically() throws Exception {
        Path key = dir.resolve("sub/dir/server-key.pem");
        SecretFiles.writeSecret(key, "secret 1");
        assertThat(mode(key)).isEqualTo("rw-------");
        SecretFiles.writeSecret(key, "secret 2");
        assertThat(Files.readString(key)).isEqualTo("secret 2");
        Path cert = dir.resolve("sub/dir/server.pem");
        SecretFiles.writePublic(cert, "cert");
        assertThat(mode(cert)).isEqualTo("rw-r--r--");
        try (var files = Files.list(key.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("server-key.pem", "server.pem"); // no temporary files left
        }
    }

    @Test
    void createSecretKeepsAnExistingFile() throws Exception {
        Path f = dir.resolve("derper.key");
        assertThat(SecretFiles.createSecret(f, "first")).isTrue();
        assertThat(mode(f)).isEqualTo("rw-------");
        assertThat(SecretFiles.createSecret(f, "second")).isFalse();
        assertThat(Files.readString(f)).isEqualTo("first");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
    }
}
