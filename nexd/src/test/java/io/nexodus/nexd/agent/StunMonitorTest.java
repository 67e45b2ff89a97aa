package io.nexodus.nexd.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.nexd.endpoint.NatDiscovery;
import io.nexodus.nexd.endpoint.NatObservation;
import io.nexodus.nexd.endpoint.ReflexiveProbe;
import io.nexodus.nexd.endpoint.StunAnswer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The STUN re-check loop with a scripted probe (no network); the periodic interval is an hour, so only asks count. */
class StunMonitorTest {
    private static final InetSocketAddress S1 = at("203.0.113.10", 3478);
    private static final InetSocketAddress S2 = at("203.0.113.10", 3479);

    private final AtomicReference<InetSocketAddress> mapping = new AtomicReference<>(at("198.51.100.12", 40000));
    private final AtomicInteger lostAnswers = new AtomicInteger();
    private final LinkedBlockingQueue<NatObservation> changes = new LinkedBlockingQueue<>();

    private final ReflexiveProbe probe = server -> lostAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0
            ? StunAnswer.failed(server, "timeout")
            : StunAnswer.of(server, mapping.get());

    private static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }

    private StunMonitor monitor() throws InterruptedException {
        StunMonitor m = new StunMonitor(
                new NatDiscovery(probe, List.of(S1, S2)), Duration.ofHours(1), Duration.ofMillis(50), changes::add);
        m.initial();
        m.start();
        return m;
    }

    @Test
    void aReCheckFindsTheNewPublicAddress() throws Exception {
        try (StunMonitor m = monitor()) {
            mapping.set(at("198.51.100.10", 40000));
            m.recheck("a peer went silent");
            NatObservation o = changes.poll(5, TimeUnit.SECONDS);
            assertThat(o).isNotNull();
            assertThat(o.reflexive()).contains(at("198.51.100.10", 40000));
        }
    }

    /**
     * Right after the line was renumbered the first round may get no answer; the peer that went silent asks only once
     * per silence, so the monitor itself tries again soon instead of waiting for the periodic round.
     */
    @Test
    void aLostAnswerToAReCheckIsRetriedSoon() throws Exception {
        try (StunMonitor m = monitor()) {
            mapping.set(at("198.51.100.10", 40000));
            lostAnswers.set(2); // both servers of the first round
            m.recheck("a peer went silent");
            NatObservation o = changes.poll(5, TimeUnit.SECONDS);
            assertThat(o).as("found by a retry, not by the hourly round").isNotNull();
            assertThat(o.reflexive()).contains(at("198.51.100.10", 40000));
            assertThat(m.current().reflexive()).contains(at("198.51.100.10", 40000));
        }
    }
}
