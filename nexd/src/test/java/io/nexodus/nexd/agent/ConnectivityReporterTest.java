package io.nexodus.nexd.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.nexodus.api.client.ApiTransportException;
import io.nexodus.api.model.ConnectivityReport;
import io.nexodus.api.model.Endpoint;
import io.nexodus.nexd.endpoint.NatObservation;
import io.nexodus.nexd.peering.PeerPath;
import io.nexodus.nexd.peering.PeeringMethod;
import io.nexodus.testkit.ManualClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class ConnectivityReporterTest {
    private static final UUID SELF = UUID.randomUUID();
    private static final UUID PEER = UUID.randomUUID();

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T05:00:00Z"));
    private final List<ConnectivityReport> sent = new ArrayList<>();
    private final List<Runnable> queued = new ArrayList<>();
    private boolean failing;
    /** Runs sends at once; a test may swap in one that keeps them to run later. */
    private Executor executor = Runnable::run;

    private final ConnectivityReporter reporter = new ConnectivityReporter(
            clock,
            (c, id, r) -> {
                if (failing) {
                    throw new ApiTransportException("service unreachable", null);
                }
                sent.add(r);
            },
            r -> executor.execute(r));

    private PeerView peer(PeeringMethod method, Instant handshake, long rx) {
        return new PeerView(
                "key",
                PEER,
                "peer",
                List.of("100.64.0.2"),
                method,
                null,
                "",
                List.of(),
                handshake,
                rx,
                7,
                true,
                PeerPath.State.UP,
                "",
                List.of(),
                null,
                null);
    }

    private void offer(PeeringMethod method, long rx) {
        reporter.offer(null, SELF, "cone", List.of(peer(method, clock.instant().minusSeconds(3), rx)));
    }

    @Test
    void reportsAtOnceThenOnChangeOrEveryThirtySeconds() {
        offer(PeeringMethod.REFLEXIVE, 1);
        assertEquals(1, sent.size(), "the first tick reports");
        ConnectivityReport first = sent.getFirst();
        assertEquals("reflexive", first.peers().getFirst().method());
        assertEquals(3L, first.peers().getFirst().handshakeAgeSeconds());

        clock.advance(Duration.ofSeconds(5));
        offer(PeeringMethod.REFLEXIVE, 2);
        assertEquals(1, sent.size(), "counters alone are no change");

        offer(PeeringMethod.VIA_DERP_RELAY, 2);
        assertEquals(2, sent.size(), "a new method is reported at once");

        clock.advance(Duration.ofSeconds(1));
        offer(PeeringMethod.REFLEXIVE, 3);
        assertEquals(2, sent.size(), "not sooner than the minimum gap");
        clock.advance(ConnectivityReporter.MIN_GAP);
        offer(PeeringMethod.REFLEXIVE, 3);
        assertEquals(3, sent.size());

        clock.advance(ConnectivityReporter.REFRESH.minusSeconds(1));
        offer(PeeringMethod.REFLEXIVE, 4);
        assertEquals(3, sent.size());
        clock.advance(Duration.ofSeconds(1));
        offer(PeeringMethod.REFLEXIVE, 5);
        assertEquals(4, sent.size(), "refreshed after 30 s");
        assertEquals(5, sent.getLast().peers().getFirst().rxBytes());
    }

    @Test
    void aFirstHandshakeIsAChange() {
        reporter.offer(null, SELF, "cone", List.of(peer(PeeringMethod.REFLEXIVE, null, 0)));
        clock.advance(ConnectivityReporter.MIN_GAP);
        reporter.offer(null, SELF, "cone", List.of(peer(PeeringMethod.REFLEXIVE, null, 0)));
        assertEquals(1, sent.size());
        offer(PeeringMethod.REFLEXIVE, 0);
        assertEquals(2, sent.size(), "the path came up: reported now, not at the next refresh");
        assertEquals(3L, sent.getLast().peers().getFirst().handshakeAgeSeconds());
    }

    @Test
    void failuresBackOffAndNeverBlockTheCaller() {
        failing = true;
        offer(PeeringMethod.REFLEXIVE, 1);
        offer(PeeringMethod.VIA_DERP_RELAY, 1);
        assertEquals(0, sent.size());
        failing = false;
        clock.advance(ConnectivityReporter.FIRST_BACKOFF.minusMillis(1));
        offer(PeeringMethod.REFLEXIVE, 1);
        assertEquals(0, sent.size(), "still backing off");
        clock.advance(Duration.ofMillis(1));
        offer(PeeringMethod.REFLEXIVE, 1);
        assertEquals(1, sent.size(), "sent once the pause is over");

        // the pause doubles while the service keeps failing, up to the cap
        failing = true;
        for (int i = 0; i < 10; i++) {
            clock.advance(ConnectivityReporter.REFRESH);
            offer(PeeringMethod.REFLEXIVE, 1);
        }
        failing = false;
        clock.advance(ConnectivityReporter.MAX_BACKOFF.minusSeconds(1));
        offer(PeeringMethod.REFLEXIVE, 1);
        assertEquals(1, sent.size(), "capped pause not over yet");
        clock.advance(Duration.ofSeconds(1));
        offer(PeeringMethod.REFLEXIVE, 1);
        assertEquals(2, sent.size());
    }

    @Test
    void oneRequestInFlightAtATime() {
        executor = queued::add;
        offer(PeeringMethod.REFLEXIVE, 1);
        offer(PeeringMethod.VIA_DERP_RELAY, 1);
        clock.advance(ConnectivityReporter.REFRESH);
        offer(PeeringMethod.VIA_RELAY, 1);
        assertEquals(1, queued.size(), "offers while a report is in flight are dropped");
        queued.getFirst().run();
        assertEquals(1, sent.size());
        offer(PeeringMethod.VIA_RELAY, 1);
        assertEquals(2, queued.size());
    }

    @Test
    void natTypes() {
        InetSocketAddress reflexive = new InetSocketAddress("198.51.100.7", 40000);
        List<Endpoint> natted = List.of(new Endpoint(Endpoint.SOURCE_LOCAL, "192.168.1.5:51820"));
        List<Endpoint> open = List.of(new Endpoint(Endpoint.SOURCE_LOCAL, "198.51.100.7:51820"));
        assertEquals(
                "unknown",
                ConnectivityReporter.natType(new NatObservation(Optional.empty(), "", true, List.of()), natted));
        assertEquals(
                "symmetric",
                ConnectivityReporter.natType(new NatObservation(Optional.of(reflexive), "s", true, List.of()), natted));
        assertEquals(
                "cone",
                ConnectivityReporter.natType(
                        new NatObservation(Optional.of(reflexive), "s", false, List.of()), natted));
        assertEquals(
                "none",
                ConnectivityReporter.natType(new NatObservation(Optional.of(reflexive), "s", false, List.of()), open));
    }

    @Test
    void noHandshakeIsNullAndReportsAreBounded() {
        List<PeerView> many = new ArrayList<>();
        for (int i = 0; i < ConnectivityReport.MAX_PEERS + 5; i++) {
            many.add(peer(null, null, 0));
        }
        ConnectivityReport r = ConnectivityReporter.report("cone", many, clock.instant());
        assertEquals(ConnectivityReport.MAX_PEERS, r.peers().size());
        assertNull(r.peers().getFirst().handshakeAgeSeconds());
        assertNull(r.peers().getFirst().method());
    }
}
