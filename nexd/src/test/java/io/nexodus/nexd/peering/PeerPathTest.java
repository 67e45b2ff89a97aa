package io.nexodus.nexd.peering;

import static io.nexodus.nexd.peering.Peers.ep;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failover state machine, driven with explicit instants (no sleeping). */
class PeerPathTest {
    private static final PeeringTimeouts T = new PeeringTimeouts(
            Duration.ofSeconds(20),
            Duration.ofSeconds(20),
            Duration.ofSeconds(45),
            Duration.ofSeconds(2),
            Duration.ofSeconds(30),
            Duration.ofMinutes(3),
            List.of(Duration.ofSeconds(1), Duration.ofMillis(2500)));

    private final PathOption local = PathOption.direct(PeeringMethod.DIRECT_LOCAL, ep("192.168.31.11", 5000));
    private final PathOption reflexive = PathOption.direct(PeeringMethod.REFLEXIVE, ep("198.51.100.31", 5000));
    private final PathOption relay = PathOption.viaRelay("R");
    private final PathOption derp = PathOption.viaDerp(ep("127.77.0.2", 40000), "public-derp");
    private final List<String> log = new ArrayList<>();
    private final PeerPath path = new PeerPath(T, log::add);
    private Instant now = Instant.parse("2026-11-02T10:00:00Z");

    private void at(double seconds) {
        now = Instant.parse("2026-11-02T10:00:00Z").plusMillis((long) (seconds * 1000));
    }

    private Instant t(double seconds) {
        return Instant.parse("2026-11-02T10:00:00Z").plusMillis((long) (seconds * 1000));
    }

    @Test
    void theBestMethodIsUsedAndComesUpWithAHandshake() {
        path.offer(List.of(reflexive, relay), now);
        assertThat(path.active()).contains(reflexive);
        assertThat(path.takeKick())
                .as("a new method starts with a fresh session")
                .isTrue();
        assertThat(path.state(now)).isEqualTo(PeerPath.State.TRYING);
        at(0.3);
        path.observe(PathSample.of(t(0.2), 300, 300), now);
        assertThat(path.state(now)).isEqualTo(PeerPath.State.UP);
        assertThat(path.healthy(now)).isTrue();
    }

    @Test
    void aHandshakeFromBeforeTheMethodWasAppliedDoesNotCount() {
        at(10);
        path.offer(List.of(reflexive), now);
        at(11);
        path.observe(PathSample.of(t(5), 100, 100), now);
        assertThat(path.state(now)).isEqualTo(PeerPath.State.TRYING);
    }

    @Test
    void quickRestartsWhileNoHandshakeThenWireGuardsOwnRetries() {
        path.offer(List.of(reflexive), now);
        path.takeKick();
        at(0.5);
        path.observe(PathSample.of(null, 0, 148), now);
        assertThat(path.takeKick()).isFalse();
        at(1.0);
        path.observe(PathSample.of(null, 0, 148), now);
        assertThat(path.takeKick()).isTrue();
        at(2.5);
        path.observe(PathSample.of(null, 0, 296), now);
        assertThat(path.takeKick()).isTrue();
        at(10);
        path.observe(PathSample.of(null, 0, 444), now);
        assertThat(path.takeKick()).as("only the configured initial kicks").isFalse();
    }

    @Test
    void aMethodThatDoesNotComeUpFailsOverToTheNext() {
        path.offer(List.of(local, reflexive, relay), now);
        at(19.9);
        path.observe(PathSample.of(null, 0, 0), now);
        assertThat(path.active()).contains(local);
        at(20);
        path.observe(PathSample.of(null, 0, 0), now);
        assertThat(path.active()).contains(reflexive);
        assertThat(path.reason()).contains("direct-local failed");
        at(40);
        path.observe(PathSample.of(null, 0, 0), now);
        assertThat(path.active()).contains(relay);
        at(41);
        path.observe(PathSample.relayed(true, null, 0), now);
        assertThat(path.healthy(now)).isTrue();
        assertThat(log).anyMatch(l -> l.contains("failed"));
    }

    @Test
    void aMethodThatGoesSilentFailsAfterTheDownTimeout() {
        path.offer(List.of(reflexive, relay), now);
        at(1);
        path.observe(PathSample.of(t(0.5), 100, 100), now);
        at(20);
        path.observe(PathSample.of(t(0.5), 200, 200), now); // heard from the peer at 20 s
        at(64.9);
        path.observe(PathSample.of(t(0.5), 200, 400), now);
        assertThat(path.active()).contains(reflexive);
        assertThat(path.state(now)).isEqualTo(PeerPath.State.UP);
        at(65);
        path.observe(PathSample.of(t(0.5), 200, 432), now);
        assertThat(path.active()).contains(relay);
    }

    @Test
    void silenceWhileSendingRaisesOneStallSuspicionPerEpisode() {
        path.offer(List.of(reflexive), now);
        at(0.5);
        path.observe(PathSample.of(t(0.2), 1000, 1000), now);
        at(1);
        path.observe(PathSample.of(t(0.2), 2000, 2000), now); // alive at 1 s
        at(2);
        path.observe(PathSample.of(t(0.2), 2000, 3000), now);
        assertThat(path.takeStallSuspicion()).isFalse();
        at(3.1);
        path.observe(PathSample.of(t(0.2), 2000, 4000), now);
        assertThat(path.takeStallSuspicion()).isTrue();
        at(4);
        path.observe(PathSample.of(t(0.2), 2000, 5000), now);
        assertThat(path.takeStallSuspicion()).isFalse();
        at(5);
        path.observe(PathSample.of(t(0.2), 2500, 6000), now); // heard again: episode over
        at(8);
        path.observe(PathSample.of(t(0.2), 2500, 7000), now);
        assertThat(path.takeStallSuspicion()).isTrue();
    }

    @Test
    void aSteadyFlowFromThePeerThatStopsIsSuspiciousToo() {
        path.offer(List.of(reflexive), now);
        at(0.5);
        path.observe(PathSample.of(t(0.2), 1000, 100), now);
        at(1);
        path.observe(PathSample.of(t(0.2), 2000, 100), now);
        at(1.5);
        path.observe(PathSample.of(t(0.2), 3000, 100), now); // receiving steadily, sending nothing
        at(3);
        path.observe(PathSample.of(t(0.2), 3000, 100), now);
        assertThat(path.takeStallSuspicion()).isFalse();
        at(3.6);
        path.observe(PathSample.of(t(0.2), 3000, 100), now);
        assertThat(path.takeStallSuspicion()).isTrue();
    }

    @Test
    void aFlowThatStopsAgainRightAfterASilenceEndedIsSuspiciousAgain() {
        // the lab's renumbering: the peer's NAT changed its mapping (silence), the flow came back for one sample, and
        // then our own NAT got a new address: only one growth since the gap, but it was data, so it is a flow
        path.offer(List.of(reflexive), now);
        at(0.5);
        path.observe(PathSample.of(t(0.2), 1000, 100), now);
        at(1);
        path.observe(PathSample.of(t(0.2), 2000, 100), now);
        at(4);
        path.observe(PathSample.of(t(0.2), 2000, 100), now);
        assertThat(path.takeStallSuspicion()).as("the first silence").isTrue();
        at(4.5);
        path.observe(PathSample.of(t(0.2), 2600, 100), now); // back: one growth, 600 bytes of pings
        at(5.5);
        path.observe(PathSample.of(t(0.2), 2600, 100), now);
        assertThat(path.takeStallSuspicion()).isFalse();
        at(6.6);
        path.observe(PathSample.of(t(0.2), 2600, 100), now);
        assertThat(path.takeStallSuspicion())
                .as("the second silence, 2 s after the last data")
                .isTrue();
    }

    @Test
    void keepalivesAloneDoNotLookLikeAStall() {
        path.offer(List.of(reflexive), now);
        at(0.5);
        path.observe(PathSample.of(t(0.2), 100, 100), now);
        at(1);
        path.observe(PathSample.of(t(0.2), 132, 132), now);
        at(21);
        path.observe(PathSample.of(t(0.2), 132, 164), now); // one keepalive out, the peer's not yet in
        assertThat(path.takeStallSuspicion()).isFalse();
        at(22);
        path.observe(PathSample.of(t(0.2), 164, 164), now); // the peer's keepalive
        at(41);
        path.observe(PathSample.of(t(0.2), 164, 196), now);
        at(42);
        path.observe(PathSample.of(t(0.2), 196, 196), now);
        assertThat(path.takeStallSuspicion())
                .as("keepalives 20 s apart are no flow")
                .isFalse();
    }

    @Test
    void whileRelayedTheFailedDirectMethodIsProbedAndUsedAgainWhenItHeals() {
        path.offer(List.of(reflexive, relay), now);
        at(20);
        path.observe(PathSample.of(null, 0, 0), now);
        assertThat(path.active()).contains(relay);
        assertThat(path.shadow()).contains(reflexive);
        at(21);
        path.observe(PathSample.relayed(true, null, 0), now);
        assertThat(path.takeKick()).isFalse();
        at(50);
        path.observe(PathSample.relayed(true, null, 0), now);
        assertThat(path.takeKick()).as("probe again every probeInterval").isTrue();
        at(51);
        path.observe(PathSample.relayed(true, t(49), 0), now);
        assertThat(path.active())
                .as("a handshake before the last probe started proves nothing")
                .contains(relay);
        at(52);
        path.observe(PathSample.relayed(true, t(51.5), 0), now);
        assertThat(path.active()).contains(reflexive);
        assertThat(path.shadow()).isEmpty();
        assertThat(path.healthy(now))
                .as("the probe handshake already proved it")
                .isTrue();
        assertThat(path.takeKick()).as("the probe's session is kept").isFalse();
    }

    @Test
    void theRelayBeingDownFailsTheRelayedMethodToo() {
        path.offer(List.of(relay), now);
        at(5);
        path.observe(PathSample.relayed(false, null, 0), now);
        at(26);
        path.observe(PathSample.relayed(false, null, 0), now);
        assertThat(path.active()).as("nothing else to try: the relay again").contains(relay);
        assertThat(path.reason()).contains("relay is not reachable");
    }

    @Test
    void aChangedEndpointIsANewChanceForAFailedMethod() {
        path.offer(List.of(reflexive, relay), now);
        at(20);
        path.observe(PathSample.of(null, 0, 0), now);
        assertThat(path.active()).contains(relay);
        PathOption moved = PathOption.direct(PeeringMethod.REFLEXIVE, ep("198.51.100.31", 6000));
        at(25);
        path.offer(List.of(moved, relay), now);
        assertThat(path.active()).contains(moved);
        assertThat(path.takeKick()).isTrue();
    }

    @Test
    void anEndpointChangeOfTheWorkingMethodKeepsItsSessionAndGivesGrace() {
        path.offer(List.of(reflexive, relay), now);
        path.takeKick();
        at(1);
        path.observe(PathSample.of(t(0.5), 100, 100), now);
        at(30);
        PathOption moved = PathOption.direct(PeeringMethod.REFLEXIVE, ep("198.51.100.31", 6000));
        path.offer(List.of(moved, relay), now);
        assertThat(path.active()).contains(moved);
        assertThat(path.takeKick()).isFalse();
        at(74);
        path.observe(PathSample.of(t(0.5), 100, 100), now);
        assertThat(path.active()).contains(moved);
        at(75);
        path.observe(PathSample.of(t(0.5), 100, 100), now);
        assertThat(path.active()).contains(relay);
    }

    @Test
    void aFailedMethodSharingThePeersEntryIsRetriedLater() {
        path.offer(List.of(local, reflexive), now);
        at(20);
        path.observe(PathSample.of(null, 0, 0), now);
        assertThat(path.active()).contains(reflexive);
        assertThat(path.shadow()).as("both use the peer's own entry: no shadow").isEmpty();
        at(21);
        path.observe(PathSample.of(t(20.5), 100, 100), now);
        at(199);
        path.observe(PathSample.of(t(20.5), 200 + 199, 200), now);
        assertThat(path.active()).contains(reflexive);
        at(200);
        path.observe(PathSample.of(t(20.5), 200 + 200, 200), now);
        assertThat(path.active()).contains(local);
    }

    @Test
    void whenEverythingFailedItStartsOverFromTheBest() {
        path.offer(List.of(local, reflexive), now);
        at(20);
        path.observe(PathSample.of(null, 0, 0), now);
        at(40);
        path.observe(PathSample.of(null, 0, 0), now);
        assertThat(path.active()).contains(local);
        assertThat(path.failures()).isEmpty();
    }

    @Test
    void noOptionMeansNoPath() {
        path.offer(List.of(), now);
        assertThat(path.active()).isEmpty();
        assertThat(path.state(now)).isEqualTo(PeerPath.State.NO_PATH);
        assertThat(path.healthy(now)).isFalse();
        path.observe(PathSample.of(null, 0, 0), now); // harmless
        path.offer(List.of(relay), now);
        assertThat(path.active()).contains(relay);
    }

    @Test
    void aBetterMethodAppearingIsUsedAtOnce() {
        path.offer(List.of(relay), now);
        at(1);
        path.offer(List.of(reflexive, relay), now);
        assertThat(path.active()).contains(reflexive);
    }

    private static PathSample onDerp(Instant handshake, long rx, long tx, long fromDerp) {
        return new PathSample(handshake, rx, tx, true, null, fromDerp);
    }

    /** Relayed with a healthy WireGuard relay, and the peer sends to us through DERP (it can use nothing else). */
    private void followed() {
        path.offer(List.of(relay, derp), now);
        path.observe(PathSample.relayed(true, null, 0), now);
        at(1);
        path.observe(PathSample.relayed(true, null, 2), now);
    }

    @Test
    void aPeerHeardThroughDerpWhileWeUseTheWireGuardRelayIsAnsweredOnDerpAtOnce() {
        followed();
        assertThat(path.active()).contains(derp);
        assertThat(path.reason()).isEqualTo("the peer uses the DERP relay");
        assertThat(path.takeKick())
                .as("we start the handshake ourselves rather than wait for the peer's 5 s retry")
                .isTrue();
        at(1.5);
        path.offer(List.of(relay, derp), now);
        assertThat(path.active())
                .as("a watch event with the same options does not end the follow")
                .contains(derp);
        at(2);
        path.observe(onDerp(t(1.8), 148, 148, 5), now);
        assertThat(path.state(now)).isEqualTo(PeerPath.State.UP);
    }

    @Test
    void aMethodThatGivesThePeerAnEntryDoesNotFollowBecauseWireGuardAnswersWhereAPacketCameFrom() {
        path.offer(List.of(reflexive, relay, derp), now);
        path.observe(PathSample.of(null, 0, 0), now);
        at(0.5);
        path.observe(new PathSample(t(0.4), 300, 300, true, null, 4), now);
        assertThat(path.active()).contains(reflexive);
    }

    @Test
    void withoutADerpOptionThereIsNothingToFollow() {
        path.offer(List.of(relay), now);
        path.observe(PathSample.relayed(true, null, 0), now);
        at(1);
        path.observe(PathSample.relayed(true, null, 9), now);
        assertThat(path.active()).contains(relay);
    }

    @Test
    void theFollowEndsWhenThePeerStopsSendingThroughDerpAndItsLastPacketsAreNotFollowedAgain() {
        followed();
        at(2);
        path.observe(onDerp(t(1.8), 148, 148, 5), now);
        at(20);
        path.observe(onDerp(t(1.8), 180, 180, 6), now);
        assertThat(path.active()).as("the peer's keepalive came through DERP").contains(derp);
        at(41);
        path.observe(onDerp(t(1.8), 180, 212, 6), now);
        assertThat(path.active()).contains(derp);
        at(42.5);
        path.observe(onDerp(t(1.8), 180, 212, 6), now);
        assertThat(path.active())
                .as("nothing through DERP for keepalive + suspectAfter: the peer went back to the relay")
                .contains(relay);
        assertThat(path.reason()).isEqualTo("the peer left the DERP relay");
        at(50);
        path.observe(PathSample.relayed(true, null, 7), now);
        assertThat(path.active())
                .as("a packet the peer sent before it noticed that we left")
                .contains(relay);
        at(66);
        path.observe(PathSample.relayed(true, null, 8), now);
        assertThat(path.active())
                .as("still sending through DERP long after we left: the peer really needs it")
                .contains(derp);
    }

    @Test
    void sendingThroughDerpIntoSilenceEndsTheFollowQuickly() {
        followed();
        at(2);
        path.observe(onDerp(t(1.8), 148, 148, 5), now);
        at(3);
        path.observe(onDerp(t(1.8), 148, 20_000, 5), now);
        at(4.5);
        path.observe(onDerp(t(1.8), 148, 60_000, 5), now);
        assertThat(path.active()).contains(relay);
        assertThat(path.takeStallSuspicion())
                .as("not our NAT: the peer left DERP")
                .isFalse();
    }

    @Test
    void whileFollowingAFailedBetterMethodIsNotRetried() {
        path.offer(List.of(reflexive, relay, derp), now);
        at(20);
        path.observe(PathSample.of(null, 0, 0), now);
        assertThat(path.active()).contains(relay);
        path.observe(PathSample.relayed(true, null, 0), now);
        at(21);
        path.observe(PathSample.relayed(true, null, 3), now);
        assertThat(path.active()).contains(derp);
        for (int s = 30; s <= 400; s += 10) {
            at(s);
            path.observe(onDerp(t(21.5), 148L * s, 148L * s, s), now);
        }
        assertThat(path.active()).contains(derp);
    }

    // ------------------------------------------------------------------------------------------------ peer-reflexive

    private final PathOption awaitPeer = PathOption.awaitPeerReflexive();
    private final PathOption toPublic = PathOption.direct(PeeringMethod.PEER_REFLEXIVE, ep("203.0.113.40", 4000));

    private static PathSample seen(Instant handshake, long rx, long tx, String ip, int port) {
        return PathSample.of(handshake, rx, tx).withEndpoint(ep(ip, port));
    }

    @Test
    void theWaitingSideStartsOnTheRelayAndSwitchesWhenWireGuardLearnsThePeersMapping() {
        path.offer(List.of(awaitPeer, derp), now);
        assertThat(path.active()).as("waiting is never a method by itself").contains(derp);
        path.takeKick();
        at(0.5);
        path.observe(seen(t(0.4), 148, 148, "127.77.0.2", 40000), now);
        assertThat(path.active()).contains(derp);
        assertThat(path.state(now)).isEqualTo(PeerPath.State.UP);
        // the symmetric side's handshake came straight from its NAT: WireGuard answers there
        at(1.5);
        path.observe(seen(t(1.2), 500, 400, "198.51.100.21", 31337), now);
        PathOption learned = PathOption.learned(ep("198.51.100.21", 31337));
        assertThat(path.active()).contains(learned);
        assertThat(path.active().orElseThrow().method()).isEqualTo(PeeringMethod.PEER_REFLEXIVE);
        assertThat(path.takeKick())
                .as("the session WireGuard already has is kept")
                .isFalse();
        assertThat(path.healthy(now)).isTrue();
        assertThat(log).anyMatch(l -> l.contains("reaches us directly from 198.51.100.21:31337"));
        // a watch event recomputes the options: the learned endpoint stays
        at(5);
        path.offer(List.of(awaitPeer, derp), now);
        assertThat(path.active()).contains(learned);
        at(6);
        path.observe(seen(t(5.5), 900, 800, "198.51.100.21", 31337), now);
        assertThat(path.active()).contains(learned);
    }

    @Test
    void theWaitingSideFollowsThePeerToANewMappingAndBackToDerp() {
        path.offer(List.of(awaitPeer, derp), now);
        at(1);
        path.observe(seen(t(0.8), 500, 400, "198.51.100.21", 31337), now);
        at(2);
        path.observe(seen(t(1.5), 600, 500, "198.51.100.21", 40001), now);
        assertThat(path.active()).contains(PathOption.learned(ep("198.51.100.21", 40001)));
        // one late packet the peer sent through DERP moves WireGuard there for a moment: not followed
        at(3);
        path.observe(seen(t(2.5), 700, 600, "127.77.0.2", 40000), now);
        assertThat(path.active()).contains(PathOption.learned(ep("198.51.100.21", 40001)));
        at(4);
        path.observe(seen(t(2.5), 800, 700, "198.51.100.21", 40001), now);
        assertThat(path.active()).contains(PathOption.learned(ep("198.51.100.21", 40001)));
        // the peer gave up on the direct path: its packets keep coming through DERP's loopback address
        for (int s = 5; s < 27; s++) {
            at(s);
            path.observe(seen(t(s - 0.5), 800L + s, 700L + s, "127.77.0.2", 40000), now);
            assertThat(path.active()).contains(PathOption.learned(ep("198.51.100.21", 40001)));
        }
        at(27);
        path.observe(seen(t(26.5), 900, 800, "127.77.0.2", 40000), now);
        assertThat(path.active()).as("after keepalive + suspectAfter: followed").contains(derp);
        assertThat(path.takeKick()).isFalse();
    }

    @Test
    void theSendingSideThatIsUpWaitsBeforeGoingBackToItsEndpoint() {
        path.offer(List.of(toPublic, derp), now);
        path.takeKick();
        at(1);
        path.observe(seen(t(0.5), 300, 300, "203.0.113.40", 4000), now);
        assertThat(path.state(now)).isEqualTo(PeerPath.State.UP);
        // a late packet through DERP: WireGuard roamed there; wait, the next direct packet moves it back
        at(2);
        path.observe(seen(t(0.5), 400, 400, "127.77.0.2", 40000), now);
        assertThat(path.takeKick()).isFalse();
        at(3);
        path.observe(seen(t(0.5), 500, 500, "203.0.113.40", 4000), now);
        // the peer stays on DERP: after keepalive + suspectAfter the entry is re-created towards the endpoint
        for (int s = 4; s < 26; s++) {
            at(s);
            path.observe(seen(t(0.5), 500L + s, 500L + s, "127.77.0.2", 40000), now);
            assertThat(path.takeKick()).isFalse();
        }
        at(26);
        path.observe(seen(t(0.5), 600, 600, "127.77.0.2", 40000), now);
        assertThat(path.takeKick()).isTrue();
        assertThat(path.state(now)).isEqualTo(PeerPath.State.TRYING);
    }

    @Test
    void aLearnedPathThatGoesSilentFallsBackToTheRelayAndWaitingIsNeverRetried() {
        path.offer(List.of(awaitPeer, derp), now);
        at(1);
        path.observe(seen(t(0.8), 500, 400, "198.51.100.21", 31337), now);
        at(46);
        path.observe(seen(t(0.8), 500, 400, "198.51.100.21", 31337), now);
        assertThat(path.active()).contains(derp);
        // derp is applied and comes up; long after, nothing tries the waiting option by itself
        for (int s = 47; s <= 600; s += 10) {
            at(s);
            path.observe(seen(t(s - 0.5), 1000L * s, 1000L * s, "127.77.0.2", 40000), now);
        }
        assertThat(path.active()).contains(derp);
    }

    @Test
    void onTheWireGuardRelayTheWaitingSideKeepsAShadowEntryThatLearnsThePeer() {
        path.offer(List.of(awaitPeer, relay, derp), now);
        assertThat(path.active()).contains(relay);
        assertThat(path.shadow()).contains(awaitPeer);
        at(1);
        path.observe(PathSample.relayed(true, null, 0), now);
        at(40);
        path.observe(PathSample.relayed(true, null, 0), now);
        assertThat(path.takeKick()).as("nothing to probe without an endpoint").isFalse();
        at(41);
        path.observe(PathSample.relayed(true, t(40.5), 0).withEndpoint(ep("198.51.100.21", 31337)), now);
        assertThat(path.active()).contains(PathOption.learned(ep("198.51.100.21", 31337)));
        assertThat(path.shadow()).isEmpty();
        assertThat(path.healthy(now)).isTrue();
    }

    @Test
    void onlyTheWaitingOptionLeftMeansWaiting() {
        path.offer(List.of(awaitPeer), now);
        assertThat(path.active()).contains(awaitPeer);
        assertThat(path.takeKick()).isFalse();
        at(3);
        path.observe(seen(t(2.5), 148, 148, "198.51.100.21", 31337), now);
        assertThat(path.active()).contains(PathOption.learned(ep("198.51.100.21", 31337)));
    }

    @Test
    void theSendingSideComesUpOnlyWithAHandshakeOnItsOwnEndpoint() {
        path.offer(List.of(toPublic, derp), now);
        assertThat(path.takeKick()).isTrue();
        // the public side is still on DERP: its handshake arrived through DERP and WireGuard roamed there
        at(0.5);
        path.observe(seen(t(0.3), 148, 148, "127.77.0.2", 40000), now);
        assertThat(path.state(now))
                .as("a handshake through DERP proves nothing")
                .isEqualTo(PeerPath.State.TRYING);
        assertThat(path.takeKick()).as("re-created towards the public endpoint").isTrue();
        at(0.8);
        path.observe(seen(t(0.3), 148, 148, "127.77.0.2", 40000), now);
        assertThat(path.takeKick()).as("at most once a second").isFalse();
        at(1.2);
        path.observe(seen(t(1.1), 300, 300, "203.0.113.40", 4000), now);
        assertThat(path.state(now)).isEqualTo(PeerPath.State.UP);
        assertThat(path.active()).contains(toPublic);
    }

    @Test
    void theSendingSideFallsBackWhenNoDirectHandshakeComes() {
        path.offer(List.of(toPublic, derp), now);
        for (int s = 1; s < 20; s++) {
            at(s);
            path.observe(seen(t(s - 0.5), 148L * s, 148L * s, "127.77.0.2", 40000), now);
            assertThat(path.active()).contains(toPublic);
        }
        at(20);
        path.observe(seen(t(19.5), 3000, 3000, "127.77.0.2", 40000), now);
        assertThat(path.active()).contains(derp);
        assertThat(path.reason()).contains("peer-reflexive failed");
        // the failed method shares the peer's entry with DERP: retried after retryFailedAfter
        at(21);
        path.observe(seen(t(20.5), 3100, 3100, "127.77.0.2", 40000), now);
        at(200);
        path.observe(seen(t(199.5), 9000, 9000, "127.77.0.2", 40000), now);
        assertThat(path.active()).contains(toPublic);
    }
}
