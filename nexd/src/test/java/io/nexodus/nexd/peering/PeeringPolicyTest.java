package io.nexodus.nexd.peering;

import static io.nexodus.nexd.peering.Peers.ep;
import static io.nexodus.nexd.peering.Peers.peer;
import static io.nexodus.nexd.peering.Peers.relay;
import static io.nexodus.nexd.peering.Peers.self;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PeeringPolicyTest {
    private final PeeringPolicy policy = new PeeringPolicy();
    private final PeerInfo theRelay = relay("R", "203.0.113.20:51820", "203.0.113.20:51820");
    private final RelayView withRelay = new RelayView(Optional.of(theRelay));

    private List<PeeringMethod> methods(SelfInfo me, PeerInfo p, RelayView r) {
        return policy.options(me, p, r).stream().map(PathOption::method).toList();
    }

    @Test
    void publicPeersAreReachedAtTheirReflexiveEndpoint() {
        PeerInfo b = peer("B", "203.0.113.41:4000", "203.0.113.41:4000", false);
        List<PathOption> o = policy.options(self("203.0.113.40", false, false, false), b, RelayView.NONE);
        assertThat(o).containsExactly(PathOption.direct(PeeringMethod.REFLEXIVE, ep("203.0.113.41", 4000)));
    }

    @Test
    void easyNatPeersWithTheSamePrivateAddressAreNotTakenForLanNeighbours() {
        // easy-a and easy-b both have 192.168.1.10 behind different NATs: the reflexive IPs differ
        PeerInfo b = peer("B", "192.168.1.10:5000", "198.51.100.12:5000", false);
        List<PathOption> o = policy.options(self("198.51.100.11", false, false, false), b, withRelay);
        assertThat(o).extracting(PathOption::method).containsExactly(PeeringMethod.REFLEXIVE, PeeringMethod.VIA_RELAY);
        assertThat(o.getFirst().endpoint()).contains(ep("198.51.100.12", 5000));
    }

    @Test
    void peersBehindOneNatUseTheirLanEndpointFirst() {
        PeerInfo b = peer("B", "192.168.31.11:5000", "198.51.100.31:5000", false);
        List<PathOption> o = policy.options(self("198.51.100.31", false, false, false), b, withRelay);
        assertThat(o)
                .extracting(PathOption::method)
                .containsExactly(PeeringMethod.DIRECT_LOCAL, PeeringMethod.REFLEXIVE, PeeringMethod.VIA_RELAY);
        assertThat(o.getFirst().endpoint()).contains(ep("192.168.31.11", 5000));
    }

    @Test
    void symmetricNatAndAPublicHostArePeerReflexive() {
        // the symmetric side sends to the public side's reflexive endpoint; the public side waits for its packets
        PeerInfo pub = peer("P", "203.0.113.40:4000", "203.0.113.40:4000", false);
        List<PathOption> o = policy.options(self("198.51.100.21", true, false, false), pub, withRelay);
        assertThat(o)
                .containsExactly(
                        PathOption.direct(PeeringMethod.PEER_REFLEXIVE, ep("203.0.113.40", 4000)),
                        PathOption.viaRelay("R"));
        assertThat(policy.needsRelay(self("198.51.100.21", true, false, false), pub))
                .isFalse();
        PeerInfo sym = peer("S", "192.168.21.10:5000", "198.51.100.21:41234", true);
        assertThat(policy.options(self("203.0.113.40", false, false, false), sym, withRelay))
                .containsExactly(PathOption.awaitPeerReflexive(), PathOption.viaRelay("R"));
        assertThat(PathOption.awaitPeerReflexive().isPassive()).isTrue();
        assertThat(o.getFirst().isPassive()).isFalse();
    }

    @Test
    void symmetricNatAndAnEasyNatMeanTheRelay() {
        // the easy NAT lets in only what comes from an ip:port its host sent to; the symmetric side's mapping
        // towards it is new, so its packets would be dropped: not offered on the sending side
        PeerInfo easy = peer("E", "192.168.1.10:4000", "198.51.100.11:4000", false);
        assertThat(methods(self("198.51.100.21", true, false, false), easy, withRelay))
                .containsExactly(PeeringMethod.VIA_RELAY);
        assertThat(methods(self("198.51.100.21", true, false, false), easy, RelayView.NONE))
                .isEmpty();
        assertThat(policy.needsRelay(self("198.51.100.21", true, false, false), easy))
                .isTrue();
        // two symmetric NATs: nothing direct
        PeerInfo sym = peer("S", "192.168.22.10:5000", "198.51.100.22:41234", true);
        assertThat(methods(self("198.51.100.21", true, false, false), sym, withRelay))
                .containsExactly(PeeringMethod.VIA_RELAY);
    }

    @Test
    void aSymmetricNatWhosePortsComeInTurnCallsAnEasyNat() throws Exception {
        // its next mapping can be predicted: the easy side probes those ports (its NAT then lets the handshake in),
        // so the symmetric side sends to the easy side's reflexive endpoint as it would to a public one
        PeerInfo easy = peer("E", "192.168.1.10:4000", "198.51.100.11:4000", false);
        SelfInfo seq = new SelfInfo(
                "me",
                false,
                true,
                false,
                Optional.of(java.net.InetAddress.getByName("198.51.100.22")),
                List.of("100.64.0.0/10"),
                true);
        assertThat(policy.options(seq, easy, withRelay))
                .containsExactly(
                        PathOption.direct(PeeringMethod.PEER_REFLEXIVE, ep("198.51.100.11", 4000)),
                        PathOption.viaRelay("R"));
        assertThat(PeeringPolicy.sendsByPortPrediction(seq, easy)).isTrue();
        PeerInfo pub = peer("P", "203.0.113.40:4000", "203.0.113.40:4000", false);
        assertThat(PeeringPolicy.sendsByPortPrediction(seq, pub))
                .as("a public peer needs no prediction")
                .isFalse();
        // still nothing direct towards another symmetric NAT
        PeerInfo sym = peer("S", "192.168.21.10:5000", "198.51.100.21:41234", true);
        assertThat(methods(seq, sym, withRelay)).containsExactly(PeeringMethod.VIA_RELAY);
        // and a symmetric NAT with random ports still needs the relay towards the easy NAT
        assertThat(methods(self("198.51.100.21", true, false, false), easy, withRelay))
                .containsExactly(PeeringMethod.VIA_RELAY);
    }

    @Test
    void noPeerReflexiveWithoutStunOrWithRelayOnly() {
        PeerInfo pub = peer("P", "203.0.113.40:4000", "203.0.113.40:4000", false);
        // no STUN answer at all (UDP blocked): sending would only delay the relay
        SelfInfo noStun = new SelfInfo("me", false, true, false, Optional.empty(), List.of("100.64.0.0/10"), false);
        assertThat(methods(noStun, pub, withRelay)).containsExactly(PeeringMethod.VIA_RELAY);
        assertThat(methods(self("198.51.100.21", true, true, false), pub, withRelay))
                .containsExactly(PeeringMethod.VIA_RELAY);
        // a peer without a reflexive endpoint (its STUN failed) is not waited for
        PeerInfo blocked = peer("B", "192.168.51.10:5000", null, true);
        assertThat(methods(self("203.0.113.40", false, false, false), blocked, withRelay))
                .containsExactly(PeeringMethod.VIA_RELAY);
        // a relay-only public host does not wait for symmetric peers either
        PeerInfo sym = peer("S", "192.168.21.10:5000", "198.51.100.21:41234", true);
        assertThat(methods(self("203.0.113.40", false, true, false), sym, withRelay))
                .containsExactly(PeeringMethod.VIA_RELAY);
    }

    @Test
    void relayOnlySkipsDirectMethodsEvenOnOneLan() {
        PeerInfo b = peer("B", "192.168.31.11:5000", "198.51.100.31:5000", false);
        assertThat(methods(self("198.51.100.31", false, true, false), b, withRelay))
                .containsExactly(PeeringMethod.VIA_RELAY);
    }

    @Test
    void twoHostsBehindOneSymmetricNatStillMeetOnTheirLan() {
        PeerInfo b = peer("B", "192.168.21.11:5000", "198.51.100.21:6000", true);
        assertThat(methods(self("198.51.100.21", true, false, false), b, withRelay))
                .containsExactly(PeeringMethod.DIRECT_LOCAL, PeeringMethod.VIA_RELAY);
    }

    @Test
    void theRelayPeerIsReachedDirectlyWithTheVpcAsAllowedIps() {
        assertThat(methods(self("198.51.100.21", true, false, false), theRelay, withRelay))
                .containsExactly(PeeringMethod.RELAY_NODE_PEER);
        PeerInfo lanRelay = relay("R2", "192.168.31.20:51820", "198.51.100.31:51820");
        assertThat(methods(self("198.51.100.31", false, false, false), lanRelay, new RelayView(Optional.of(lanRelay))))
                .containsExactly(PeeringMethod.RELAY_NODE_PEER_DIRECT_LOCAL, PeeringMethod.RELAY_NODE_PEER);
    }

    @Test
    void theRelayWaitsForSymmetricPeersToCallIt() {
        SelfInfo relaySelf = self("203.0.113.20", false, false, true);
        PeerInfo sym = peer("S", "192.168.21.10:5000", "198.51.100.21:41234", true);
        assertThat(policy.options(relaySelf, sym, RelayView.NONE))
                .containsExactly(new PathOption(PeeringMethod.RELAY_NODE_SELF, Optional.empty(), Optional.empty()));
        PeerInfo easy = peer("E", "192.168.1.10:5000", "198.51.100.11:5000", false);
        assertThat(policy.options(relaySelf, easy, RelayView.NONE))
                .containsExactly(PathOption.direct(PeeringMethod.RELAY_NODE_SELF, ep("198.51.100.11", 5000)));
    }

    @Test
    void aDerpTypedRelayDeviceIsNotTheWireGuardRelay() {
        PeerInfo derp = new PeerInfo(
                "D",
                theRelay.deviceId(),
                "derp",
                true,
                Optional.of("derp"),
                false,
                theRelay.localEndpoint(),
                theRelay.reflexiveEndpoint(),
                List.of(),
                List.of(),
                List.of());
        assertThat(derp.isWireGuardRelay()).isFalse();
        assertThat(RelaySelector.select(List.of(derp), "me").wireguardRelay()).isEmpty();
        assertThat(RelaySelector.select(List.of(theRelay), "me").wireguardRelay())
                .contains(theRelay);
        assertThat(RelaySelector.select(List.of(theRelay), "R").wireguardRelay())
                .isEmpty();
    }

    @Test
    void withoutStunAnswersWeCountAsUnreachableAndNeverShareANat() {
        PeerInfo b = peer("B", "192.168.1.10:5000", "198.51.100.12:5000", false);
        SelfInfo noStun = new SelfInfo("me", false, true, false, Optional.empty(), List.of("100.64.0.0/10"), false);
        assertThat(methods(noStun, b, withRelay)).containsExactly(PeeringMethod.VIA_RELAY);
    }
}
