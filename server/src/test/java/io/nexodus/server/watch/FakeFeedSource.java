package io.nexodus.server.watch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-memory stand-in for the database behind the feeds: every commit takes the next revision (one sequence, like
 * the service's revision counter) and replaces the row's previous version; a load returns the latest version of each
 * row above a revision. Like a database read, a load sees the commits made before it began ({@link #pauseNextLoad}
 * holds it after that point), and it can be made to fail ({@link #failNextLoads}).
 */
final class FakeFeedSource implements FeedSource {
    private record Row(String kind, UUID vpcId, FeedRow row) {}

    private final Map<String, Row> rows = new LinkedHashMap<>(); // guarded by this
    private long revision; // guarded by this
    private final AtomicInteger loads = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<Pause> pause = new AtomicReference<>();

    /** A paused load: {@link #awaitLoading} returns once it has read its rows; {@link #release} lets it return. */
    static final class Pause {
        private final CountDownLatch loading = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        void awaitLoading() throws InterruptedException {
            if (!loading.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("no load started");
            }
        }

        void release() {
            release.countDown();
        }
    }

    /** Commits a new version of row {@code key} (a delete if {@code deleted}); returns its revision. */
    synchronized long commit(String kind, UUID vpcId, String key, boolean deleted) {
        long rev = ++revision;
        Map<String, Object> value = Map.of("id", key, "revision", rev);
        rows.put(
                kind + "|" + vpcId + "|" + key, new Row(kind, vpcId, new FeedRow(key, rev, deleted, value, null, key)));
        return rev;
    }

    synchronized long lastRevision() {
        return revision;
    }

    /** Loads so far (first loads and refreshes). */
    int loads() {
        return loads.get();
    }

    /** The next load takes its snapshot, then waits for {@link Pause#release}. */
    Pause pauseNextLoad() {
        Pause p = new Pause();
        pause.set(p);
        return p;
    }

    /** The next {@code n} loads fail as a lost database connection would. */
    void failNextLoads(int n) {
        failures.set(n);
    }

    @Override
    public List<FeedRow> load(String kind, UUID vpcId, long afterRevision) {
        loads.incrementAndGet();
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("database unavailable");
        }
        List<FeedRow> out = new ArrayList<>();
        synchronized (this) {
            for (Row r : rows.values()) {
                if (r.kind().equals(kind) && r.vpcId().equals(vpcId) && r.row().revision() > afterRevision) {
                    out.add(r.row());
                }
            }
        }
        out.sort(Comparator.comparingLong(FeedRow::revision));
        Pause p = pause.getAndSet(null);
        if (p != null) {
            p.loading.countDown();
            try {
                if (!p.release.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("paused load never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return out;
    }
}
