package io.nexodus.nexd.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalAddressesTest {
    @TempDir
    Path tmp;

    @Test
    void theDefaultRouteWithTheLowestMetricWins() throws Exception {
        Path route = tmp.resolve("route");
        Files.writeString(route, """
                Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
                eth1\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
                eth0\t00000000\t010171CB\t0003\t0\t0\t100\t00000000\t0\t0\t0
                eth0\t000071CB\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
                down0\t00000000\t01010101\t0002\t0\t0\t1\t00000000\t0\t0\t0
                """);
        assertThat(new LocalAddresses(route).defaultRouteInterface()).contains("eth0");
    }

    @Test
    void noDefaultRouteFallsBackToTheSourceAddressTowardsATarget() throws Exception {
        Path route = tmp.resolve("route");
        Files.writeString(route, "Iface\tDestination\n");
        LocalAddresses l = new LocalAddresses(route);
        assertThat(l.defaultRouteInterface()).isEmpty();
        assertThat(l.defaultRouteAddress(InetAddress.getLoopbackAddress())).contains(InetAddress.getLoopbackAddress());
    }

    @Test
    void subnetsContainTheirAddresses() throws Exception {
        LocalAddresses.LocalSubnet s = new LocalAddresses.LocalSubnet("eth0", InetAddress.ofLiteral("100.64.0.7"), 10);
        assertThat(s.contains(InetAddress.ofLiteral("100.100.1.1"))).isTrue();
        assertThat(s.contains(InetAddress.ofLiteral("100.128.0.1"))).isFalse();
        assertThat(s.contains(InetAddress.ofLiteral("::1"))).isFalse();
        assertThat(s).hasToString("100.64.0.7/10 on eth0");
    }
}
