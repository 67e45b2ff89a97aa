package io.nexodus.netstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteRingTest {
    @Test
    void wrapsAroundPeeksAndTakes() {
        ByteRing r = new ByteRing(8);
        assertThat(r.put(new byte[] {1, 2, 3, 4, 5, 6}, 0, 6)).isEqualTo(6);
        r.skip(4);
        assertThat(r.put(new byte[] {7, 8, 9, 10, 11, 12, 13}, 0, 7)).isEqualTo(6); // only 6 free
        assertThat(r.size()).isEqualTo(8);
        assertThat(r.peek(1, 5)).containsExactly(6, 7, 8, 9, 10);
        byte[] out = new byte[10];
        assertThat(r.take(out, 1, 10)).isEqualTo(8);
        assertThat(out).containsExactly(0, 5, 6, 7, 8, 9, 10, 11, 12, 0);
        assertThat(r.take(out, 0, 1)).isZero();
    }

    @Test
    void allocatesOnTheFirstByteAndReleasesWhenEmpty() {
        ByteRing r = new ByteRing(1 << 20);
        assertThat(r.free()).isEqualTo(1 << 20);
        assertThat(r.peek(0, 0)).isEmpty();
        r.skip(0);
        r.put(new byte[] {1}, 0, 1);
        r.release(); // not empty: kept
        assertThat(r.peek(0, 1)).containsExactly(1);
        r.skip(1);
        r.release();
        assertThat(r.put(new byte[] {2, 3}, 0, 2)).isEqualTo(2);
        assertThat(r.peek(0, 2)).containsExactly(2, 3);
    }
}
