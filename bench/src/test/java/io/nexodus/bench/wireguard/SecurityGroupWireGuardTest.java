package io.nexodus.bench.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.packetfilter.Decision;
import io.nexodus.packetfilter.Direction;
import io.nexodus.packetfilter.StatefulFilter;
import org.junit.jupiter.api.Test;

/** The benchmark's group is what the script says: N rules, and only iperf3's port (and ICMP) admitted, last. */
class SecurityGroupWireGuardTest {

    @Test
    void theGroupHasTheRulesAskedForAndAdmitsOnlyIperfsPortAndPing() throws Exception {
        StatefulFilter filter = new StatefulFilter();
        filter.setPickUpRunningTcp(false);
        filter.setRules(SecurityGroupWireGuard.group(100));
        assertThat(filter.rules().rules(Direction.INBOUND)).hasSize(100);
        assertThat(filter.decide(Direction.INBOUND, tcpSyn(5201), 0, 40, 1).accepted())
                .isTrue();
        assertThat(filter.decide(Direction.INBOUND, tcpSyn(5202), 0, 40, 2)).isEqualTo(Decision.DROP_NO_MATCH);
        assertThat(filter.decide(Direction.INBOUND, tcpSyn(10_000), 0, 40, 3)).isEqualTo(Decision.DROP_NO_MATCH);
    }

    /** An IPv4 TCP SYN from 10.205.0.1:40000 to 10.205.0.2:port (checksums are not checked by the filter). */
    private static byte[] tcpSyn(int port) {
        byte[] p = new byte[40];
        p[0] = 0x45;
        p[3] = 40;
        p[8] = 64;
        p[9] = 6;
        byte[] src = {10, (byte) 205, 0, 1};
        byte[] dst = {10, (byte) 205, 0, 2};
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        p[20] = (byte) (40000 >> 8);
        p[21] = (byte) 40000;
        p[22] = (byte) (port >> 8);
        p[23] = (byte) port;
        p[32] = 0x50;
        p[33] = 0x02; // SYN
        return p;
    }
}
