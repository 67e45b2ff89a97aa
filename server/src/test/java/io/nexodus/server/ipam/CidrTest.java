package io.nexodus.server.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void parsesCanonicalizesAndFormats() {
        assertThat(Cidr.parse("10.1.2.3/16").toString()).isEqualTo("10.1.0.0/16");
        assertThat(Cidr.parse("FD6E:6578:6F64:0:0:0:0:5/64").toString()).isEqualTo("fd6e:6578:6f64::/64");
        assertThat(Cidr.parse("::/0").isDefaultRoute()).isTrue();
        assertThat(Cidr.parse("100.64.0.0/10").addressAt(BigInteger.ONE)).isEqualTo("100.64.0.1");
        assertThat(Cidr.parse("fd00::/64").addressAt(BigInteger.valueOf(0x1234)))
                .isEqualTo("fd00::1234");
        assertThat(Cidr.compress("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(Cidr.compress("0:0:0:0:0:0:0:1")).isEqualTo("::1");
        assertThat(Cidr.compress("1:0:2:3:4:5:6:7")).isEqualTo("1:0:2:3:4:5:6:7");
    }

    @Test
    void rejectsNamesAndNonsenseWithoutDnsLookups() {
        for (String bad : new String[] {
            "example.com/24", "10.0.0.0/33", "10.0.0.0", "300.1.1.1/8", "fd00::/129", "1.2.3/8", "::g/64", null
        }) {
            assertThatThrownBy(() -> Cidr.parse(bad))
                    .as(String.valueOf(bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void containsAndOverlaps() {
        Cidr net = Cidr.parse("10.0.0.0/8");
        assertThat(net.contains(Cidr.parse("10.1.0.0/16"))).isTrue();
        assertThat(Cidr.parse("10.1.0.0/16").overlaps(net)).isTrue();
        assertThat(net.overlaps(Cidr.parse("11.0.0.0/8"))).isFalse();
        assertThat(net.overlaps(Cidr.parse("fd00::/8"))).isFalse();
        assertThat(net.offsetOf("10.0.1.2")).isEqualTo(BigInteger.valueOf(258));
        assertThat(net.offsetOf("11.0.0.1").signum()).isNegative();
    }
}
