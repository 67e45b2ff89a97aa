package io.nexodus.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IndexTableTest {
    @Test
    void indicesAreUniqueSurviveGrowthAndNeverSpellTheStunCookie() {
        IndexTable t = new IndexTable();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            int idx = t.newIndex(null);
            assertThat(idx).isNotEqualTo(IndexTable.STUN_COOKIE_INDEX);
            assertThat(seen.add(idx)).isTrue();
        }
        for (int idx : seen) {
            assertThat(t.lookup(idx))
                    .isNotNull()
                    .extracting(IndexTable.Entry::index)
                    .isEqualTo(idx);
        }
        int some = seen.iterator().next();
        t.delete(some);
        assertThat(t.lookup(some)).isNull();
        assertThat(t.lookup(some ^ 0x10000000)).isNull();
        assertThat(t.size()).isEqualTo(4999);
        // The STUN magic cookie 21 12 a4 42 read little-endian.
        assertThat(Messages.le32(new byte[] {0x21, 0x12, (byte) 0xa4, 0x42}, 0))
                .isEqualTo(IndexTable.STUN_COOKIE_INDEX);
    }
}
