package io.nexodus.nexd.agent;

import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.crypto.PeerMapException;
import io.nexodus.api.crypto.PeerMapSignature;
import io.nexodus.api.model.PeerMap;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.SignedPeerMap;
import io.nexodus.core.retry.Backoff;
import io.nexodus.nexd.state.StateException;
import io.nexodus.nexd.state.StoredPeerMap;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the service's signed peer map of this device in the state directory, so a restart while the service is
 * unreachable can bring the tunnels up ({@link OfflinePeerMap}). The loop calls {@link #offer} after every batch with
 * a version of what the map holds (devices, security groups, relay metadata); a map is fetched when that version
 * changed, but not sooner than {@link #MIN_GAP} after the previous fetch (a busy VPC costs one map per device per
 * {@code MIN_GAP}), and otherwise every {@link #REFRESH} so a quiet VPC's map does not age past
 * {@code --peer-map-max-age}. The service's key is fetched once after registering (again if a map does not verify with
 * it: the service's database was replaced). A map that does not verify is not stored. At most one fetch is in flight; a
 * failed one is retried by a later offer after a growing pause. Time comes from the injected clock.
 */
final class PeerMapKeeper {
    private static final Logger log = LoggerFactory.getLogger(PeerMapKeeper.class);
    static final Duration MIN_GAP = Duration.ofSeconds(30);
    static final Duration REFRESH = Duration.ofHours(1);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    /** Only its ceilings are used: one device's retries need no spreading. */
    private static final Backoff BACKOFF =
            new Backoff(FIRST_BACKOFF, MAX_BACKOFF, Backoff.Jitter.EQUAL, RandomGenerator.getDefault());

    /** The two service calls; the agent's are the device client's. */
    interface Service {
        PeerMapKey key(NexodusClient asDevice);

        SignedPeerMap map(NexodusClient asDevice, UUID deviceId);
    }

    /** Where maps go: the state store. */
    interface Sink {
        void store(StoredPeerMap map) throws StateException;
    }

    private final Clock clock;
    private final Service service;
    private final Sink sink;
    private final Executor executor;
    private final Duration refresh;

    // guarded by this: the loop thread offers, the executor's thread finishes
    private boolean inFlight;
    private PeerMapKey key;
    private long storedVersion = -1;
    private Instant lastFetch;
    private Instant lastStored;
    private Instant notBefore = Instant.MIN;
    /** Consecutive failed fetches; the pause before the next is the backoff's ceiling for them (no jitter). */
    private int failures;
    /** The map stored last by this process, for the status; null before. */
    private volatile PeerMap lastStoredMap;

    /**
     * @param maxAge {@code --peer-map-max-age}: a map is refreshed at least every half of it (at most every
     *               {@link #REFRESH}), so the stored one is never too old to use while nexd runs
     */
    PeerMapKeeper(Clock clock, Service service, Sink sink, Executor executor, Duration maxAge) {
        this.clock = clock;
        this.service = service;
        this.sink = sink;
        this.executor = executor;
        Duration half = maxAge.dividedBy(2);
        this.refresh =
                maxAge.isZero() || half.compareTo(REFRESH) > 0 ? REFRESH : half.compareTo(MIN_GAP) < 0 ? MIN_GAP : half;
    }

    /** {@code nexctl nexd status}: the map stored last (empty before one was). */
    Optional<String> statusLine() {
        PeerMap m = lastStoredMap;
        return m == null
                ? Optional.empty()
                : Optional.of("signed peer map stored: " + m.peers().size() + " peers, issued " + m.issuedAt());
    }

    void offer(NexodusClient asDevice, UUID deviceId, long version) {
        Instant now = clock.instant();
        synchronized (this) {
            if (inFlight || now.isBefore(notBefore)) {
                return;
            }
            boolean due = lastStored == null
                    || (version != storedVersion && !now.isBefore(lastFetch.plus(MIN_GAP)))
                    || !now.isBefore(lastStored.plus(refresh));
            if (!due) {
                return;
            }
            inFlight = true;
            lastFetch = now;
        }
        executor.execute(() -> fetch(asDevice, deviceId, version, now));
    }

    private void fetch(NexodusClient asDevice, UUID deviceId, long version, Instant at) {
        try {
            PeerMapKey k;
            synchronized (this) {
                k = key;
            }
            if (k == null) {
                k = service.key(asDevice);
            }
            SignedPeerMap signed = service.map(asDevice, deviceId);
            PeerMap map;
            try {
                map = PeerMapSignature.verify(signed, k);
            } catch (PeerMapException e) {
                // signed by a key we did not know yet (the service's database was replaced): ask for the key again
                k = service.key(asDevice);
                map = PeerMapSignature.verify(signed, k);
            }
            if (!deviceId.equals(map.deviceId())) {
                throw new PeerMapException("the service sent the peer map of device " + map.deviceId());
            }
            sink.store(new StoredPeerMap(k, signed, clock.instant()));
            lastStoredMap = map;
            synchronized (this) {
                if (failures > 0) {
                    log.info("peer map stored again");
                }
                key = k;
                storedVersion = version;
                lastStored = at;
                failures = 0;
                inFlight = false;
            }
            log.debug(
                    "stored the signed peer map ({} peers, issued {})",
                    map.peers().size(),
                    map.issuedAt());
        } catch (RuntimeException | PeerMapException | StateException e) { // NexodusClientException included
            synchronized (this) {
                if (failures++ == 0) {
                    log.warn("cannot keep the signed peer map ({}); retrying with back-off", e.getMessage());
                } else {
                    log.debug("peer map fetch failed again: {}", e.getMessage());
                }
                notBefore = clock.instant().plus(BACKOFF.ceiling(failures));
                inFlight = false;
            }
        }
    }
}
