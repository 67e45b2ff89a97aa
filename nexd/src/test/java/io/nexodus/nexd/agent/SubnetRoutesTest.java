package io.nexodus.nexd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.nexd.derpproxy.WireGuardDerpProxy;
import io.nexodus.nexd.net.TunnelInterface;
import io.nexodus.nexd.peering.DerpRelay;
import io.nexodus.nexd.peering.PeerInfo;
import io.nexodus.nexd.peering.PeeringMethod;
import io.nexodus.nexd.peering.PeeringTimeouts;
import io.nexodus.nexd.peering.SelfInfo;
import io.nexodus.nexd.wg.PeerEntry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * How a subnet router's advertised networks reach its peers' data plane, without root: in WireGuard's allowed IPs of
 * the entry that carries the router's packets (its own entry when direct or through DERP, the WireGuard relay's when
 * relayed) and as routes via the tunnel interface (the {@code ip} commands recorded), except where a network overlaps
 * this host's own.
 */
class SubnetRoutesTest {
    private static final List<String> VPC = List.of("100.64.0.0/10");
    private static final String LAN = "192.168.31.0/24";
    private static final String LAN6 = "fd00:31::/64";

    private final FakeWireGuard wg = new FakeWireGuard(key());
    private final List<String> commands = new ArrayList<>();
    private final TunnelInterface tunnel = new TunnelInterface(
            (argv, stdin) -> {
                commands.add(String.join(" ", argv));
                return "";
            },
            "wg-test");
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

    private static String key() {
        return NodePrivateKey.generate().publicKey().toBase64();
    }

    private static PeerInfo router(String key, boolean symmetric, List<String> advertised) {
        return new PeerInfo(
                key,
                UUID.randomUUID(),
                "router",
                false,
                Optional.empty(),
                symmetric,
                Optional.of(new InetSocketAddress("192.168.31.10", 51820)),
                Optional.of(new InetSocketAddress("198.51.100.31", 40001)),
                List.of("100.64.0.5"),
                List.of("100.64.0.5/32"),
                advertised);
    }

    private static PeerInfo relay(String key) {
        return new PeerInfo(
                key,
                UUID.randomUUID(),
                "relay",
                true,
                Optional.of("wireguard"),
                false,
                Optional.of(new InetSocketAddress("203.0.113.20", 51820)),
                Optional.of(new InetSocketAddress("203.0.113.20", 51820)),
                List.of("100.64.0.9"),
                List.of("100.64.0.9/32"),
                List.of());
    }

    private SelfInfo self(boolean symmetric) throws Exception {
        return new SelfInfo(
                wg.publicKey(),
                false,
                symmetric,
                false,
                Optional.of(InetAddress.getByName("198.51.100.11")),
                VPC,
                false);
    }

    private Reconciler reconciler() {
        return new Reconciler(wg, tunnel, PeeringTimeouts.DEFAULT, clock);
    }

    @Test
    void aDirectRoutersNetworksAreInItsAllowedIpsAndRoutedViaTheTunnel() throws Exception {
        Reconciler rec = reconciler();
        String r = key();
        rec.update(self(false), List.of(router(r, false, List.of(LAN, LAN6))));
        assertThat(rec.peers().getFirst().method()).isEqualTo(PeeringMethod.REFLEXIVE);
        assertThat(wg.peers.get(r).allowedIps()).containsExactly("100.64.0.5/32", LAN, LAN6);
        assertThat(commands)
                .contains(
                        "ip -4 route replace " + LAN + " dev wg-test", "ip -6 route replace " + LAN6 + " dev wg-test");
        assertThat(tunnel.routes()).contains(LAN, LAN6, "100.64.0.0/10");

        // the router withdraws the IPv6 network: its route goes, the IPv4 one stays
        commands.clear();
        rec.update(self(false), List.of(router(r, false, List.of(LAN))));
        assertThat(wg.peers.get(r).allowedIps()).containsExactly("100.64.0.5/32", LAN);
        assertThat(commands).containsExactly("ip -6 route del " + LAN6 + " dev wg-test");
    }

    @Test
    void aRelayedRoutersNetworksGoToTheRelaysEntry() throws Exception {
        Reconciler rec = reconciler();
        String r = key();
        String hub = key();
        // we are behind symmetric NAT: the router is reached through the VPC's WireGuard relay
        rec.update(self(true), List.of(router(r, false, List.of(LAN)), relay(hub)));
        PeerView rv = rec.peers().stream()
                .filter(v -> v.publicKey().equals(r))
                .findFirst()
                .orElseThrow();
        assertThat(rv.method()).isEqualTo(PeeringMethod.VIA_RELAY);
        assertThat(wg.peers).doesNotContainKey(r);
        assertThat(wg.peers.get(hub).allowedIps()).containsExactly("100.64.0.0/10", LAN);
        assertThat(commands).contains("ip -4 route replace " + LAN + " dev wg-test");
    }

    @Test
    void aRouterReachedThroughDerpHasItsNetworksOnItsLoopbackEntry() throws Exception {
        WireGuardDerpProxy proxy = new WireGuardDerpProxy(
                51820,
                (relay, listener) -> {
                    throw new IOException("no relay in this test");
                },
                k -> true);
        try {
            Reconciler rec = new Reconciler(wg, tunnel, PeeringTimeouts.DEFAULT, clock, proxy);
            rec.setPublicDerp(Optional.of(new DerpRelay(
                    DerpRelay.Kind.PUBLIC,
                    "public:900",
                    URI.create("https://relay.example.com:443/derp"),
                    Optional.empty(),
                    Optional.empty(),
                    false,
                    Optional.empty())));
            String r = key();
            // both sides behind symmetric NAT, no WireGuard relay: only DERP is left
            rec.update(self(true), List.of(router(r, true, List.of(LAN))));
            assertThat(rec.peers().getFirst().method()).isEqualTo(PeeringMethod.VIA_DERP_RELAY);
            PeerEntry e = wg.peers.get(r);
            assertThat(e.endpoint().orElseThrow().getAddress().isLoopbackAddress())
                    .isTrue();
            assertThat(e.allowedIps()).containsExactly("100.64.0.5/32", LAN);
            assertThat(commands).contains("ip -4 route replace " + LAN + " dev wg-test");
        } finally {
            proxy.close();
        }
    }

    @Test
    void aNetworkThatOverlapsThisHostsOwnIsNotRouted() throws Exception {
        Reconciler rec = reconciler();
        // this host sits on the router's LAN (a /16 around it) and routes fd00:31::/64 itself
        List<String> own = new ArrayList<>(List.of("192.168.0.0/16"));
        rec.avoidRoutingOver(() -> own);
        String r = key();
        rec.update(self(false), List.of(router(r, false, List.of(LAN, "10.9.0.0/16"))));
        assertThat(commands).contains("ip -4 route replace 10.9.0.0/16 dev wg-test");
        assertThat(commands).noneMatch(c -> c.contains(LAN));
        assertThat(rec.skippedRoutes()).containsExactly(LAN);
        // WireGuard still accepts the router's packets from its LAN (and would send there if routed)
        assertThat(wg.peers.get(r).allowedIps()).contains(LAN);
        // the VPC's own prefix is never skipped
        assertThat(tunnel.routes()).contains("100.64.0.0/10");

        // the router's networks change: the overlap is looked at again
        own.clear();
        rec.update(self(false), List.of(router(r, false, List.of(LAN))));
        assertThat(commands).contains("ip -4 route replace " + LAN + " dev wg-test");
        assertThat(rec.skippedRoutes()).isEmpty();
    }
}
