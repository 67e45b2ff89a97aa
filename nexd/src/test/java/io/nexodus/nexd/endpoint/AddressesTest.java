package io.nexodus.nexd.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.nexd.peering.Cidrs;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AddressesTest {
    @Test
    void endpointsParseWithoutDnsAndRejectGarbage() {
        assertThat(Addresses.parseEndpoint("198.51.100.11:40000").map(Addresses::format))
                .contains("198.51.100.11:40000");
        assertThat(Addresses.parseEndpoint("[fd00::1]:51820").map(Addresses::format))
                .contains("[fd00::1]:51820");
        assertThat(Addresses.parseEndpoint("example.com:51820")).isEmpty();
        assertThat(Addresses.parseEndpoint("1.2.3.4")).isEmpty();
        assertThat(Addresses.parseEndpoint("1.2.3.4:0")).isEmpty();
        assertThat(Addresses.parseEndpoint("1.2.3.4:70000")).isEmpty();
        assertThat(Addresses.parseEndpoint("256.1.1.1:1")).isEmpty();
        assertThat(Addresses.parseEndpoint("fd00::1:51820")).isEmpty();
        assertThat(Addresses.parseEndpoint(null)).isEmpty();
        assertThat(Addresses.parseEndpoint("")).isEmpty();
    }

    @Test
    void hostPortResolvesOnceWithADefaultPort() {
        InetSocketAddress a = Addresses.resolveHostPort("127.0.0.1", 3478);
        assertThat(a.getPort()).isEqualTo(3478);
        assertThat(Addresses.resolveHostPort("[::1]:3479", 3478).getPort()).isEqualTo(3479);
        assertThatThrownBy(() -> Addresses.resolveHostPort("127.0.0.1:x", 1)).hasMessageContaining("bad port");
    }

    @Test
    void cidrsAreNormalised() {
        assertThat(Cidrs.normalize("100.64.0.5")).contains("100.64.0.5/32");
        assertThat(Cidrs.normalize("10.1.2.3/8")).contains("10.0.0.0/8");
        assertThat(Cidrs.normalize("200::5")).contains("200::5/128");
        assertThat(Cidrs.normalize("200:0:0:0:1:0:0:0/64")).contains("200::/64");
        assertThat(Cidrs.normalize("fd00:1:2:3::/48")).contains("fd00:1:2::/48");
        assertThat(Cidrs.normalize("1.2.3.4/33")).isEmpty();
        assertThat(Cidrs.normalize("nope/8")).isEmpty();
        assertThat(Cidrs.isDefaultRoute("0.0.0.0/0")).isTrue();
    }
}
