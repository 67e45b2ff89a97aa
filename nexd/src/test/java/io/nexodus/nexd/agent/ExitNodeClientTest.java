package io.nexodus.nexd.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.nexd.net.ExitRouting;
import io.nexodus.nexd.net.FakeIp;
import io.nexodus.nexd.net.TunnelInterface;
import io.nexodus.nexd.peering.PeerInfo;
import io.nexodus.nexd.peering.PeeringTimeouts;
import io.nexodus.nexd.peering.SelfInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A device using an exit node, without root: the exit node's WireGuard entry carries the default route only on a
 * client that chose it, WireGuard's packets are marked, the policy routing (a model of iproute2) bypasses the service
 * and the peers' endpoints, an exit node that leaves keeps the routing (fail closed), and stopping restores the host's
 * routing exactly.
 */
class ExitNodeClientTest {
    private static final List<String> VPC = List.of("100.64.0.0/10");

    private final FakeWireGuard wg = new FakeWireGuard(key());
    private final FakeIp ip = new FakeIp();
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    private final Reconciler rec =
            new Reconciler(wg, new TunnelInterface(ip, "wg-test"), PeeringTimeouts.DEFAULT, clock);

    private static String key() {
        return NodePrivateKey.generate().publicKey().toBase64();
    }

    private static PeerInfo device(String key, String host, String local, String reflexive, boolean exit) {
        return new PeerInfo(
                key,
                UUID.randomUUID(),
                host,
                false,
                Optional.empty(),
                false,
                Optional.of(new InetSocketAddress(local, 51820)),
                Optional.of(new InetSocketAddress(reflexive, 40001)),
                List.of("100.64.0.5"),
                List.of("100.64.0.5/32"),
                exit ? List.of(PeerInfo.EXIT_ROUTE) : List.of());
    }

    private SelfInfo self() throws Exception {
        return new SelfInfo(
                wg.publicKey(), false, false, false, Optional.of(InetAddress.getByName("198.51.100.11")), VPC, false);
    }

    @Test
    void theExitNodesEntryCarriesTheDefaultRouteOnlyWhileItIsUsed() throws Exception {
        rec.routeExitTraffic(new ExitRouting(ip, "wg-test"), List.of(InetAddress.getByName("203.0.113.10")));
        String exit = key();
        String other = key();
        List<PeerInfo> devices = List.of(
                device(exit, "lan-a", "192.168.31.10", "198.51.100.31", true),
                device(other, "easy-b", "192.168.1.10", "198.51.100.12", false));
        rec.update(self(), devices);
        String before = ip.snapshot();
        // a plain peer: the exit node's 0.0.0.0/0 is not accepted from it, nothing routes into the tunnel
        assertThat(wg.peers.get(exit).allowedIps()).containsExactly("100.64.0.5/32");
        assertThat(wg.fwmark).isZero();
        assertThat(rec.exitNodes()).extracting(PeerInfo::hostname).containsExactly("lan-a");
        assertThat(rec.exitStatus()).isEmpty();

        assertThat(rec.useExitNode("lan-a")).startsWith("using exit node lan-a (");
        assertThat(wg.peers.get(exit).allowedIps()).containsExactly("100.64.0.5/32", "0.0.0.0/0");
        assertThat(wg.peers.get(other).allowedIps()).containsExactly("100.64.0.5/32");
        assertThat(wg.fwmark).isEqualTo(ExitRouting.MARK);
        assertThat(ip.rules())
                .contains("5270 lookup main suppress_prefixlength 0", "5271 not fwmark 0xca6c lookup 51820");
        assertThat(ip.routes("51820"))
                .containsExactlyInAnyOrder(
                        "default dev wg-test",
                        "throw 203.0.113.10/32", // the service
                        "throw 192.168.31.10/32",
                        "throw 198.51.100.31/32",
                        "throw 192.168.1.10/32",
                        "throw 198.51.100.12/32");
        assertThat(rec.exitStatus()).startsWith("exit node: lan-a (");

        // the other peer moves: its new address bypasses the tunnel, the old one no longer does
        rec.update(self(), List.of(devices.get(0), device(other, "easy-b", "192.168.1.10", "198.51.100.77", false)));
        assertThat(ip.routes("51820")).contains("throw 198.51.100.77/32").doesNotContain("throw 198.51.100.12/32");

        // the exit node leaves the VPC: fail closed, the default route stays in the tunnel with no entry to take it
        rec.update(self(), List.of(devices.get(1)));
        assertThat(wg.peers).doesNotContainKey(exit);
        assertThat(ip.routes("51820")).contains("default dev wg-test");
        assertThat(rec.exitStatus()).contains("failing closed").contains("no device lan-a in the VPC");

        // it comes back: used again without asking
        rec.update(self(), devices);
        assertThat(wg.peers.get(exit).allowedIps()).contains("0.0.0.0/0");

        assertThat(rec.stopUsingExitNode()).isEqualTo("exit node disabled; routing restored");
        assertThat(wg.peers.get(exit).allowedIps()).containsExactly("100.64.0.5/32");
        assertThat(wg.fwmark).isZero();
        assertThat(ip.snapshot()).isEqualTo(before);
        assertThat(rec.exitStatus()).isEmpty();
    }

    @Test
    void aDeviceThatIsNoExitNodeIsRefusedAndNothingChanges() throws Exception {
        rec.routeExitTraffic(new ExitRouting(ip, "wg-test"), List.of());
        rec.update(self(), List.of(device(key(), "easy-b", "192.168.1.10", "198.51.100.12", false)));
        String before = ip.snapshot();
        assertThatThrownBy(() -> rec.useExitNode("easy-b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not offer itself as an exit node");
        assertThatThrownBy(() -> rec.useExitNode(""))
                .hasMessage("no device of the VPC offers itself as an exit node (nexd router --exit-node)");
        assertThat(ip.snapshot()).isEqualTo(before);
        assertThat(wg.fwmark).isZero();
    }

    @Test
    void aChoiceMadeBeforeTheDevicesAreKnownWaitsForThem() throws Exception {
        rec.routeExitTraffic(new ExitRouting(ip, "wg-test"), List.of());
        assertThat(rec.useExitNode("")).contains("will be used once the VPC's devices are known");
        String exit = key();
        rec.update(self(), List.of(device(exit, "lan-a", "192.168.31.10", "198.51.100.31", true)));
        assertThat(wg.peers.get(exit).allowedIps()).contains("0.0.0.0/0");
        rec.closeExitRouting(); // nexd stops
        assertThat(ip.rules()).noneMatch(r -> r.startsWith("527"));
        assertThat(ip.routes("51820")).isEmpty();
    }

    @Test
    void withoutRoutingItIsRefused() {
        assertThatThrownBy(() -> rec.useExitNode("x")).hasMessageContaining("cannot use an exit node");
    }
}
