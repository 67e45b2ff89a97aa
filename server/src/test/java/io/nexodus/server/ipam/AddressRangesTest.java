package io.nexodus.server.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.api.model.ValidationError;
import io.nexodus.api.model.Vpc;
import io.nexodus.server.http.ApiError;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressRangesTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "0.0.0.0/0",
                "0.0.0.0/1",
                "127.0.0.0/24",
                "169.254.10.0/24",
                "224.0.0.0/24",
                "239.1.0.0/16",
                "255.255.255.252/30",
                "::/0",
                "::/64",
                "fe80::/64",
                "ff02::/120"
            })
    void refusesCatchAllAndSpecialPurposeRanges(String range) {
        Cidr c = Cidr.parse(range);
        String field = c.v6() ? "ipv6_cidr" : "ipv4_cidr";
        assertThatThrownBy(() -> AddressRanges.requireUsable(field, c)).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(((ValidationError) e.body()).field()).isEqualTo(field);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.0.0/16", "192.168.7.0/24", "8.8.8.0/24", "fd00:1::/64", "2001:db8::/64"})
    void acceptsPrivateAndPublicRanges(String range) {
        AddressRanges.requireUsable("f", Cidr.parse(range));
    }

    @Test
    void warnsAboutPublicRangesAndOverlaps() {
        UUID other = UUID.randomUUID();
        Vpc o = new Vpc(other, other, "", true, "10.1.0.0/16", "fd00:1::/64", 1);
        assertThat(AddressRanges.warnings(Cidr.parse("10.2.0.0/16"), Cidr.parse("fd00:2::/64"), List.of(o)))
                .isEmpty();
        List<String> w = AddressRanges.warnings(Cidr.parse("8.8.8.0/24"), Cidr.parse("fd00:1::/64"), List.of(o));
        assertThat(w).hasSize(2);
        assertThat(w.get(0)).startsWith("ipv4_cidr 8.8.8.0/24 is a public address range");
        assertThat(w.get(1)).startsWith("ipv6_cidr fd00:1::/64 overlaps VPC " + other);
        assertThat(AddressRanges.warnings(Cidr.parse("100.64.1.0/24"), Cidr.parse("fd00:2::/64"), List.of()))
                .singleElement()
                .asString()
                .contains("the shared IPv4 pool");
    }
}
