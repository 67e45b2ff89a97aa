package io.nexodus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class StartFailureDescriptionTest {
    @Test
    void aBareLibraryMessageIsNamedByItsType() {
        assertThat(StartFailure.describe(new NoSuchElementException("No value present")))
                .isEqualTo("NoSuchElementException: No value present");
    }

    @Test
    void theRootCauseFollowsTheOwnMessageOnOneLine() {
        IOException e = new IOException("cannot open the database", new IllegalStateException("disk full\nmore"));
        assertThat(StartFailure.describe(e)).isEqualTo("cannot open the database: IllegalStateException: disk full");
    }

    @Test
    void aCauseAlreadyInTheMessageIsNotRepeated() {
        IOException e =
                new IOException("cannot listen: Address already in use", new IOException("Address already in use"));
        assertThat(StartFailure.describe(e)).isEqualTo("cannot listen: Address already in use");
    }

    @Test
    void anExceptionWithoutMessageIsNamed() {
        assertThat(StartFailure.describe(new NullPointerException())).isEqualTo("NullPointerException");
    }

    @Test
    void aFileProblemSaysWhatWentWrongWithThePath() {
        assertThat(StartFailure.describe(new AccessDeniedException("/var/lib/nexodus/data")))
                .startsWith("/var/lib/nexodus/data: permission denied (the service runs as ");
        assertThat(StartFailure.describe(new IOException(
                        "cannot create the data directory",
                        new FileSystemException("/data", null, "Read-only file system"))))
                .isEqualTo("cannot create the data directory: /data: Read-only file system");
        assertThat(StartFailure.describe(new NoSuchFileException("/x/tls.pem")))
                .isEqualTo("/x/tls.pem: no such file or directory");
    }
}
