package io.nexodus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
}
