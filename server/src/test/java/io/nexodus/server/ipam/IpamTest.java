package io.nexodus.server.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IpamTest {
    @Test
    void randomUlaPrefixesAreCanonicalRfc4193Slash64s() {
        Ipam ipam = new Ipam(new IpamStore());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            String ula = ipam.randomUla64();
            Cidr c = Cidr.parse(ula);
            // the text is exactly the canonical form (no "0746" groups), so it equals what device addresses are shown
            // in
            assertThat(ula)
                    .as(ula)
                    .isEqualTo(c.toString())
                    .startsWith("fd")
                    .endsWith(":/64")
                    .doesNotContainPattern("(^|:)0[0-9a-f]");
            assertThat(c.prefixLength()).isEqualTo(64);
            assertThat(Cidr.parse("fd00::/8").contains(c)).isTrue();
            seen.add(ula);
        }
        assertThat(seen).hasSizeGreaterThan(4_990); // 40 random bits
    }
}
