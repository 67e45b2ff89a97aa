package io.nexodus.e2e.lab;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** Declarations the builder refuses before it creates anything (no root needed). */
class NatLabBuilderTest {
    private final Path nowhere = Path.of("target", "never-created");

    @Test
    void rejectsBadAndDuplicateNames() {
        assertThatThrownBy(() -> NatLab.builder(nowhere).publicHost("Bad_Name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Bad_Name");
        assertThatThrownBy(() -> NatLab.builder(nowhere).publicHost("internet"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatLab.builder(nowhere).publicHost("a-very-long-node-name"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatLab.builder(nowhere).publicHost("x").gateway("x", NatMapping.easy()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate");
    }

    @Test
    void rejectsUnknownGatewaysAndCyclesBeforeCreatingAnything() {
        assertThatThrownBy(() -> NatLab.builder(nowhere).hostBehind("h", "nope").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown gateway 'nope'");
        assertThatThrownBy(() -> NatLab.builder(nowhere)
                        .gateway(GatewaySpec.of("g", NatMapping.easy()).behind("missing"))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'missing'");
        assertThatThrownBy(() -> NatLab.builder(nowhere)
                        .gateway(GatewaySpec.of("a", NatMapping.easy()).behind("b"))
                        .gateway(GatewaySpec.of("b", NatMapping.easy()).behind("a"))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cycle");
        Assertions.assertThat(nowhere).doesNotExist();
    }
}
