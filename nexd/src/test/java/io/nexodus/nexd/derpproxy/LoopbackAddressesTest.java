package io.nexodus.nexd.derpproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackAddressesTest {
    @Test
    void addressesAreDeterministicPerKeyAndStayOutOf127_0_0() {
        LoopbackAddresses one = new LoopbackAddresses();
        LoopbackAddresses two = new LoopbackAddresses();
        Inet4Address a = one.allocate("key-a");
        assertThat(two.allocate("key-a")).isEqualTo(a);
        assertThat(one.allocate("key-a")).isSameAs(a);
        byte[] b = a.getAddress();
        assertThat(b[0]).isEqualTo((byte) 127);
        assertThat(b[1] & 0xff).isBetween(1, 254);
        assertThat(b[3] & 0xff).isBetween(1, 254);
    }

    @Test
    void aCollisionMovesToTheNextFreeAddress() {
        LoopbackAddresses l = new LoopbackAddresses();
        Set<Inet4Address> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            assertThat(seen.add(l.allocate("k" + i))).isTrue();
        }
        // force a collision: the slot after a's first choice, then a key whose first choice is taken
        int slot = LoopbackAddresses.firstChoice("k0");
        assertThat(LoopbackAddresses.address(slot)).isEqualTo(l.allocate("k0"));
        l.release("k0");
        assertThat(l.allocate("k0")).isEqualTo(LoopbackAddresses.address(slot));
    }

    @Test
    void slotsCoverTheRange() {
        assertThat(LoopbackAddresses.address(0).getHostAddress()).isEqualTo("127.1.0.1");
        assertThat(LoopbackAddresses.address(253).getHostAddress()).isEqualTo("127.1.0.254");
        assertThat(LoopbackAddresses.address(254).getHostAddress()).isEqualTo("127.1.1.1");
        assertThat(LoopbackAddresses.address(254 * 256 * 254 - 1).getHostAddress())
                .isEqualTo("127.254.255.254");
    }
}
