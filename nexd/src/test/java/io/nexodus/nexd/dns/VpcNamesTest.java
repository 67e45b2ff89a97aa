package io.nexodus.nexd.dns;

import static io.nexodus.nexd.dns.DnsTestDevices.device;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class VpcNamesTest {
    @Test
    void aDeviceIsItsHostnameUnderTheZoneWithItsTunnelAddresses() {
        VpcNames n = VpcNames.of(List.of(
                device("11111111-0000-0000-0000-000000000001", "web-1", "100.64.0.5", "fd00::5"),
                device("22222222-0000-0000-0000-000000000002", "DB.corp.example.com", "100.64.0.6", null)));
        assertThat(n.lookup("web-1.nexodus").orElseThrow().v4()).containsExactly(InetAddress.ofLiteral("100.64.0.5"));
        assertThat(n.lookup("WEB-1.Nexodus.").orElseThrow().v6()).containsExactly(InetAddress.ofLiteral("fd00::5"));
        assertThat(n.lookup("db.nexodus")).as("first label, lower case").isPresent();
        assertThat(n.lookup("db.corp.example.com.nexodus")).isEmpty();
        assertThat(n.lookup("nothing.nexodus")).isEmpty();
        assertThat(n.entries()).extracting(VpcNames.Entry::name).containsExactly("db.nexodus", "web-1.nexodus");
    }

    @Test
    void labelsAreMadeValidDnsLabels() {
        assertThat(VpcNames.label("My_Laptop (2)")).isEqualTo("my-laptop--2");
        assertThat(VpcNames.label("--x--")).isEqualTo("x");
        assertThat(VpcNames.label("")).isEqualTo("device");
        assertThat(VpcNames.label(null)).isEqualTo("device");
        assertThat(VpcNames.label("ünï")).isEqualTo("n");
        assertThat(VpcNames.label("a".repeat(80))).hasSize(63);
    }

    @Test
    void aSharedHostnameGivesNoBareNameButOnePerDevice() {
        VpcNames n = VpcNames.of(List.of(
                device("aaaaaaaa-0000-0000-0000-000000000001", "node", "100.64.0.7", null),
                device("bbbbbbbb-0000-0000-0000-000000000002", "node", "100.64.0.8", null),
                device("cccccccc-0000-0000-0000-000000000003", "x".repeat(63), "100.64.0.9", null),
                device("dddddddd-0000-0000-0000-000000000004", "x".repeat(63), "100.64.0.10", null)));
        assertThat(n.lookup("node.nexodus")).isEmpty();
        assertThat(n.lookup("node-aaaaaaaa.nexodus").orElseThrow().v4())
                .containsExactly(InetAddress.ofLiteral("100.64.0.7"));
        assertThat(n.lookup("node-bbbbbbbb.nexodus").orElseThrow().v4())
                .containsExactly(InetAddress.ofLiteral("100.64.0.8"));
        assertThat(n.lookup("x".repeat(54) + "-cccccccc.nexodus"))
                .as("still one label of at most 63")
                .isPresent();
    }
}
