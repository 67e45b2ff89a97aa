package io.nexodus.nexd.peering;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which peer is the exit node and which addresses bypass it, from the VPC's devices. */
class ExitNodePlanTest {
    private static final String SELF = "self=";

    private static PeerInfo exitNode(String key, String hostname, String local, String reflexive) {
        return new PeerInfo(
                key,
                UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)),
                hostname,
                false,
                Optional.empty(),
                false,
                Optional.of(Peers.ep(local, 51820)),
                Optional.of(Peers.ep(reflexive, 40000)),
                List.of("100.64.0.7", "fd6e:6578:6f64::7"),
                List.of("100.64.0.7/32"),
                List.of("192.168.31.0/24", "0.0.0.0/0"));
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void theOnlyExitNodeIsChosenWhenNoneIsNamed() {
        PeerInfo e = exitNode("e1=", "lan-a", "192.168.31.10", "198.51.100.31");
        PeerInfo p = Peers.peer("p1=", "192.168.1.10:51820", "198.51.100.12:40001", false);
        ExitNodePlan plan = ExitNodePlan.compute("", SELF, List.of(e, p), List.of());
        assertThat(plan.exitNode()).contains(e);
        assertThat(plan.problem()).isEmpty();
        assertThat(e.exitNode()).isTrue();
        assertThat(e.routedCidrs()).containsExactly("192.168.31.0/24");
        assertThat(p.exitNode()).isFalse();
    }

    @Test
    void aNamedExitNodeByHostnameKeyIdOrTunnelAddress() {
        PeerInfo a = exitNode("e1=", "lan-a", "192.168.31.10", "198.51.100.31");
        PeerInfo b = exitNode("e2=", "lan-b", "192.168.32.10", "198.51.100.32");
        List<PeerInfo> all = List.of(a, b);
        assertThat(ExitNodePlan.compute("LAN-B", SELF, all, List.of()).exitNode())
                .contains(b);
        assertThat(ExitNodePlan.compute("e1=", SELF, all, List.of()).exitNode()).contains(a);
        assertThat(ExitNodePlan.compute(b.deviceId().toString(), SELF, all, List.of())
                        .exitNode())
                .contains(b);
        ExitNodePlan two = ExitNodePlan.compute("", SELF, all, List.of());
        assertThat(two.exitNode()).isEmpty();
        assertThat(two.problem()).contains("has 2 exit nodes (lan-a e1=, lan-b e2=): name one");
    }

    @Test
    void problemsAreSaidPlainly() {
        PeerInfo p = Peers.peer("p1=", "192.168.1.10:51820", "198.51.100.12:40001", false);
        assertThat(ExitNodePlan.compute("", SELF, List.of(p), List.of()).problem())
                .isEqualTo("no device of the VPC offers itself as an exit node (nexd router --exit-node)");
        assertThat(ExitNodePlan.compute("nope", SELF, List.of(p), List.of()).problem())
                .isEqualTo("no device nope in the VPC");
        assertThat(ExitNodePlan.compute("host-p1=", SELF, List.of(p), List.of()).problem())
                .contains("does not offer itself as an exit node");
        // never ourselves, even if we are one
        PeerInfo me = exitNode(SELF, "me", "192.168.1.10", "198.51.100.11");
        assertThat(ExitNodePlan.compute("me", SELF, List.of(me), List.of()).exitNode())
                .isEmpty();
    }

    @Test
    void everyOtherDevicesEndpointsAndTheFixedAddressesBypassTheTunnel() throws Exception {
        PeerInfo e = exitNode("e1=", "lan-a", "192.168.31.10", "198.51.100.31");
        PeerInfo p = Peers.peer("p1=", "192.168.1.10:51820", "198.51.100.12:40001", false);
        PeerInfo hub = Peers.relay("r1=", "203.0.113.20:51820", "203.0.113.20:51820");
        PeerInfo me = Peers.peer(SELF, "192.168.9.9:51820", "198.51.100.99:40001", false);
        ExitNodePlan plan = ExitNodePlan.compute(
                "lan-a",
                SELF,
                List.of(e, p, hub, me),
                List.of(ip("203.0.113.10"), ip("203.0.113.10"), ip("127.0.0.1"), ip("fd00::1"), ip("192.168.1.1")));
        assertThat(plan.bypass())
                .containsExactly(
                        "192.168.1.1/32",
                        "192.168.1.10/32",
                        "192.168.31.10/32",
                        "198.51.100.12/32",
                        "198.51.100.31/32",
                        "203.0.113.10/32",
                        "203.0.113.20/32");
    }
}
