package io.nexodus.nexd;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/** The AOT training run (bin/nexd makes its start-up cache with it) runs through without root or network. */
class AotTrainingTest {
    @Test
    void theTrainingRunCompletes() {
        assertThatCode(() -> AotTraining.main(new String[0])).doesNotThrowAnyException();
    }
}
