package io.nexodus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {
    @TempDir
    Path tmp;

    @Test
    void aNewDataDirectoryIsPrivateToItsOwner() throws Exception {
        Path dir = tmp.resolve("share/nexodus");
        assertThat(DataDir.prepare(dir)).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.getParent())))
                .isEqualTo("rwx------");
        assertThat(DataDir.prepare(dir)).isEmpty(); // existing and private: nothing to say
    }

    @Test
    void anExistingOpenDirectoryIsLeftAsItIsButWarnedAbout() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(DataDir.prepare(dir))
                .hasValueSatisfying(w -> assertThat(w)
                        .contains(dir.toString())
                        .contains("rwxr-xr-x")
                        .contains("chmod 700 " + dir));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwxr-xr-x");
    }
}
