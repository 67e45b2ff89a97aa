package io.nexodus.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    @Test
    void hashesAreSaltedVerifiableAndCarryTheirIterationCount() {
        PasswordHasher h = new PasswordHasher(2000);
        String a = h.hash("correct horse"), b = h.hash("correct horse");
        assertThat(a).startsWith("pbkdf2-sha256$2000$").isNotEqualTo(b);
        assertThat(h.verify("correct horse", a)).isTrue();
        assertThat(h.verify("correct horsf", a)).isFalse();
        assertThat(h.verify("anything", null)).isFalse();
        assertThat(h.verify("x", "garbage")).isFalse();
        assertThat(new PasswordHasher(3000).verify("correct horse", a))
                .as("stored count wins")
                .isTrue();
    }

    @Test
    void opaqueTokensAreComparedByHash() {
        String t = OpaqueTokens.generate(OpaqueTokens.DEVICE);
        assertThat(t).startsWith("DT:").hasSize(3 + 44);
        assertThat(OpaqueTokens.matches(t, OpaqueTokens.hash(t))).isTrue();
        assertThat(OpaqueTokens.matches(t + "x", OpaqueTokens.hash(t))).isFalse();
        assertThat(OpaqueTokens.matches(t, null)).isFalse();
        assertThat(LocalIdp.normalizeUserCode("bcdf-ghjk")).isEqualTo("BCDFGHJK");
        assertThat(Forms.parse("a=1&b=x%20y&c&a=2".getBytes(StandardCharsets.UTF_8)))
                .containsEntry("a", "1")
                .containsEntry("b", "x y")
                .containsEntry("c", "");
        assertThat(Forms.html("<a href='x'>&")).isEqualTo("&lt;a href=&#39;x&#39;&gt;&amp;");
    }
}
