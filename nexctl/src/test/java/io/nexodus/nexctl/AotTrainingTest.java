package io.nexodus.nexctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The AOT training run works without a service and leaves nothing behind. */
class AotTrainingTest {
    @Test
    void runsAndCleansUp() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before;
        try (Stream<Path> s = Files.list(tmp)) {
            before = s.filter(p -> p.getFileName().toString().startsWith("nexctl-aot-training"))
                    .count();
        }
        AotTraining.main(new String[0]);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("nexctl-aot-training"))
                            .count())
                    .isEqualTo(before);
        }
    }
}
