package io.nexodus.nexd.agent;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.NexodusClientException;
import io.nexodus.api.model.ConnectivityReport;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.PeerConnectivity;
import io.nexodus.nexd.endpoint.Addresses;
import io.nexodus.nexd.endpoint.NatObservation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the service how this device reaches its peers ({@code PUT /api/devices/<id>/connectivity}): at once when the
 * set of (peer, method, relay), a peer's health or first handshake, or the NAT type changes (no sooner than
 * {@link #MIN_GAP} after the previous report, so a flapping path cannot flood the service), and otherwise every
 * {@link #REFRESH}, so the service can tell a live report from a stale one (it flags reports older than 90 s).
 * <p>
 * The loop calls {@link #offer} after every tick; it decides and hands the request to {@code executor}, never waiting
 * for the service. At most one request is in flight; a failed one is not retried by itself: the next offer after a
 * growing pause ({@link #FIRST_BACKOFF} doubling up to {@link #MAX_BACKOFF}) sends the then current state. Time comes
 * from the injected clock, so all of this is tested without a service or root.
 */
final class ConnectivityReporter implements AgentLoop.Reporter {
    private static final Logger log = LoggerFactory.getLogger(ConnectivityReporter.class);
    static final Duration REFRESH = Duration.ofSeconds(30);
    static final Duration MIN_GAP = Duration.ofSeconds(2);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    /** Sends one report; the agent's is the device client's {@code reportConnectivity}. */
    interface Sender {
        void send(NexodusClient asDevice, UUID deviceId, ConnectivityReport report) throws NexodusClientException;
    }

    private final Clock clock;
    private final Sender sender;
    private final Executor executor;

    // guarded by this: the loop thread offers, the executor's thread finishes
    private boolean inFlight;
    private Instant lastAttempt;
    private Instant lastSent;
    private String sentSignature;
    private Instant notBefore = Instant.MIN;
    private Duration backoff = FIRST_BACKOFF;
    private int failures;

    ConnectivityReporter(Clock clock, Sender sender, Executor executor) {
        this.clock = clock;
        this.sender = sender;
        this.executor = executor;
    }

    @Override
    public void offer(NexodusClient asDevice, UUID deviceId, String natType, List<PeerView> peers) {
        Instant now = clock.instant();
        ConnectivityReport report = report(natType, peers, now);
        String signature = signature(report);
        synchronized (this) {
            if (inFlight || now.isBefore(notBefore)) {
                return;
            }
            boolean changed = !signature.equals(sentSignature);
            boolean due = lastSent == null
                    || (changed && !now.isBefore(lastAttempt.plus(MIN_GAP)))
                    || !now.isBefore(lastSent.plus(REFRESH));
            if (!due) {
                return;
            }
            inFlight = true;
            lastAttempt = now;
        }
        executor.execute(() -> send(asDevice, deviceId, report, signature, now));
    }

    private void send(NexodusClient asDevice, UUID deviceId, ConnectivityReport report, String signature, Instant at) {
        try {
            sender.send(asDevice, deviceId, report);
            synchronized (this) {
                if (failures > 0) {
                    log.info("connectivity reports reach the service again");
                }
                lastSent = at;
                sentSignature = signature;
                backoff = FIRST_BACKOFF;
                failures = 0;
                inFlight = false;
            }
        } catch (RuntimeException e) { // NexodusClientException included
            synchronized (this) {
                if (failures++ == 0) {
                    log.warn("cannot report connectivity to the service ({}); retrying with back-off", e.getMessage());
                } else {
                    log.debug("connectivity report failed again: {}", e.getMessage());
                }
                notBefore = clock.instant().plus(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                inFlight = false;
            }
        }
    }

    /** The report of these peers, at most {@link ConnectivityReport#MAX_PEERS} of them (the service's limit). */
    static ConnectivityReport report(String natType, List<PeerView> peers, Instant now) {
        List<PeerConnectivity> out = new ArrayList<>();
        for (PeerView v : peers) {
            if (v.deviceId() == null || out.size() == ConnectivityReport.MAX_PEERS) {
                continue;
            }
            Long age = v.lastHandshake() == null || v.lastHandshake().getEpochSecond() <= 0
                    ? null
                    : Math.max(0, Duration.between(v.lastHandshake(), now).toSeconds());
            out.add(new PeerConnectivity(
                    v.deviceId(),
                    v.method() == null ? null : v.method().wireName(),
                    v.relay(),
                    v.healthy(),
                    age,
                    v.rxBytes(),
                    v.txBytes()));
        }
        return new ConnectivityReport(natType, out);
    }

    /**
     * What a change is: the NAT type and each peer's method, relay, health and whether it has had a handshake (not
     * counters or ages), so a path that comes up is reported when it does, not at the next refresh.
     */
    static String signature(ConnectivityReport r) {
        TreeSet<String> s = new TreeSet<>();
        for (PeerConnectivity p : r.peers()) {
            s.add(p.deviceId() + "=" + p.method() + "/" + p.relay() + "/" + p.healthy() + "/"
                    + (p.handshakeAgeSeconds() != null));
        }
        return r.natType() + s;
    }

    /**
     * This device's NAT type from STUN: {@code unknown} without an answer, {@code symmetric} when servers saw
     * different mappings, {@code none} when the reflexive address is the device's own local address, else
     * {@code cone}.
     */
    static String natType(NatObservation nat, List<Endpoint> endpoints) {
        if (nat == null || nat.stunFailed()) {
            return ConnectivityReport.NAT_UNKNOWN;
        }
        if (nat.symmetricNat()) {
            return ConnectivityReport.NAT_SYMMETRIC;
        }
        InetAddress reflexive = nat.reflexive().orElseThrow().getAddress();
        for (Endpoint e : endpoints) {
            if (Endpoint.SOURCE_LOCAL.equals(e.source())) {
                Optional<InetSocketAddress> local = Addresses.parseEndpoint(e.address());
                if (local.isPresent() && reflexive.equals(local.get().getAddress())) {
                    return ConnectivityReport.NAT_NONE;
                }
            }
        }
        return ConnectivityReport.NAT_CONE;
    }
}
