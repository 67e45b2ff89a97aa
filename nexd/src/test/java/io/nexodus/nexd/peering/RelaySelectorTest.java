package io.nexodus.nexd.peering;

import static io.nexodus.nexd.peering.Peers.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RelaySelectorTest {
    private static final DerpRelay PUBLIC = new DerpRelay(
            DerpRelay.Kind.PUBLIC,
            "public:900",
            URI.create("https://service.example:443/derp"),
            Optional.empty(),
            Optional.empty(),
            false,
            Optional.empty());
    private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");
    private static final InetSocketAddress LOOP = ep("127.9.8.7", 40000);

    @Test
    void withoutAnOnboardedRelayThePublicOneIsUsed() {
        RelayView v = RelaySelector.select(
                List.of(peer("b", null, "198.51.100.22:1000", true)), "me", Optional.of(PUBLIC), RelaySelector.FIRST);
        assertThat(v.derp()).contains(PUBLIC);
        assertThat(v.wireguardRelay()).isEmpty();
        assertThat(v.anyRelay()).isTrue();
        assertThat(RelaySelector.select(List.of(), "me", Optional.empty(), RelaySelector.FIRST)
                        .derp())
                .isEmpty();
    }

    @Test
    void aHealthyOnboardedDerpRelayTakesPrecedenceAndPinsItsReflexiveIpInManualMode() {
        PeerInfo onb = derpRelay("r", "203.0.113.30:443", "relay.corp.internal", true);
        assertThat(onb.isDerpRelay()).isTrue();
        assertThat(onb.isWireGuardRelay()).isFalse();
        RelayView v = RelaySelector.select(List.of(onb), "me", Optional.of(PUBLIC), RelaySelector.FIRST);
        DerpRelay d = v.derp().orElseThrow();
        assertThat(d.kind()).isEqualTo(DerpRelay.Kind.ONBOARDED);
        assertThat(d.id()).isEqualTo("onboarded:" + onb.deviceId());
        assertThat(d.url()).isEqualTo(URI.create("https://relay.corp.internal:443/derp"));
        assertThat(d.certModeManual()).isTrue();
        assertThat(d.pinnedIp().orElseThrow().getHostAddress()).isEqualTo("203.0.113.30");
        assertThat(d.dialIp()).as("dialled there directly, no lookup").isEqualTo(d.pinnedIp());
        assertThat(RelaySelector.onboarded(derpRelay("s", "203.0.113.31:443", "relay.example.com", false))
                        .pinnedIp())
                .as("a public name resolves through DNS")
                .isEmpty();
    }

    @Test
    void anUnhealthyOrRemovedOnboardedRelayFallsBackToThePublicOne() {
        PeerInfo onb = derpRelay("r", "203.0.113.30:443", "relay.corp.internal", true);
        DerpRelayHealth health = new DerpRelayHealth();
        String id = RelaySelector.onboarded(onb).id();
        health.observe(id, false, 0, Optional.empty(), T0); // connecting, not up yet
        assertThat(select(onb, health, T0)).as("not connected yet").isEqualTo(PUBLIC);
        health.observe(id, true, 0, Optional.empty(), T0.plusSeconds(1)); // came up: used at once
        assertThat(select(onb, health, T0.plusSeconds(1)).kind()).isEqualTo(DerpRelay.Kind.ONBOARDED);
        health.observe(id, false, 0, Optional.empty(), T0.plusSeconds(2));
        assertThat(select(onb, health, T0.plusSeconds(2))).isEqualTo(PUBLIC);
        // removed from the VPC
        assertThat(RelaySelector.select(List.of(), "me", Optional.of(PUBLIC), RelaySelector.FIRST)
                        .derp())
                .contains(PUBLIC);
    }

    @Test
    void severalOnboardedRelaysAreOfferedInDeviceIdOrder() {
        PeerInfo r1 = derpRelay("r1", "203.0.113.30:443", "a.internal", false);
        PeerInfo r2 = derpRelay("r2", "203.0.113.31:443", "b.internal", false);
        String first = r1.deviceId().toString().compareTo(r2.deviceId().toString()) < 0 ? "a.internal" : "b.internal";
        assertThat(RelaySelector.select(List.of(r1, r2), "me", Optional.of(PUBLIC), RelaySelector.FIRST)
                        .derp()
                        .orElseThrow()
                        .hostname())
                .isEqualTo(first);
        assertThat(RelaySelector.select(List.of(r2, r1), "me", Optional.of(PUBLIC), RelaySelector.FIRST)
                        .derp()
                        .orElseThrow()
                        .hostname())
                .isEqualTo(first);
    }

    @Test
    void symmetricPairsGetOnlyDerpAndAWireGuardRelayComesFirst() {
        PeeringPolicy policy = new PeeringPolicy(key -> Optional.of(LOOP));
        SelfInfo me = self("198.51.100.21", true, false, false);
        PeerInfo b = peer("b", "192.168.22.10:51820", "198.51.100.22:1000", true);
        RelayView publicOnly = new RelayView(Optional.empty(), Optional.of(PUBLIC));
        assertThat(policy.options(me, b, publicOnly)).containsExactly(PathOption.viaDerp(LOOP, "public:900"));
        assertThat(policy.needsRelay(me, b)).isTrue();

        PeerInfo wgRelay = relay("wg", null, "203.0.113.20:51820");
        List<PathOption> both = policy.options(me, b, new RelayView(Optional.of(wgRelay), Optional.of(PUBLIC)));
        assertThat(both)
                .extracting(PathOption::method)
                .containsExactly(PeeringMethod.VIA_RELAY, PeeringMethod.VIA_DERP_RELAY);

        // a peer reachable directly still has DERP last, as the fallback when UDP is blocked
        PeerInfo easy = peer("c", "192.168.1.10:51820", "198.51.100.11:1000", false);
        SelfInfo pub = self("203.0.113.40", false, false, false);
        assertThat(policy.options(pub, easy, publicOnly))
                .extracting(PathOption::method)
                .containsExactly(PeeringMethod.REFLEXIVE, PeeringMethod.VIA_DERP_RELAY);
        // without a proxy no DERP option at all
        assertThat(new PeeringPolicy().options(me, b, publicOnly)).isEmpty();
    }

    private static DerpRelay select(PeerInfo onb, DerpRelayHealth health, Instant now) {
        return RelaySelector.select(List.of(onb), "me", Optional.of(PUBLIC), l -> health.choose(l, now))
                .derp()
                .orElseThrow();
    }
}
