package io.nexodus.server.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.api.model.WatchEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;

/**
 * The shared, in-memory view of one kind in one VPC: the latest version of every row (tombstones included), ordered
 * by revision, each already serialized as its event line. One database read per change serves every watcher of the
 * VPC; a watcher only walks the revisions it has not seen. Only the refresher writes; watchers read entries up to
 * {@link #published()}, which is advanced only after a whole batch is in place.
 */
final class Feed {
    /**
     * One row's current version, ready to write. Not a record: {@code line} is shared by every watcher as it is (a
     * record would suggest value semantics for the array); nobody writes to it after construction.
     */
    static final class Entry {
        private final String key;
        private final long revision;
        private final boolean deleted;
        private final byte[] line;
        private final UUID deviceId;
        private final String metaKey;

        Entry(String key, long revision, boolean deleted, byte[] line, UUID deviceId, String metaKey) {
            this.key = key;
            this.revision = revision;
            this.deleted = deleted;
            this.line = line;
            this.deviceId = deviceId;
            this.metaKey = metaKey;
        }

        String key() {
            return key;
        }

        long revision() {
            return revision;
        }

        boolean deleted() {
            return deleted;
        }

        /** The event line (JSON and a newline), shared: never modify. */
        byte[] line() {
            return line;
        }

        UUID deviceId() {
            return deviceId;
        }

        String metaKey() {
            return metaKey;
        }
    }

    final String kind;
    final UUID vpcId;
    private final ConcurrentSkipListMap<Long, Entry> byRevision = new ConcurrentSkipListMap<>();
    private final Map<String, Long> revisionByKey = new ConcurrentHashMap<>(); // written under this, read lock-free
    private final Set<Waker> watchers = ConcurrentHashMap.newKeySet();
    private final LongSupplier ticker;
    private volatile long published = -1;
    private volatile long idleSinceNanos;

    /** @param ticker nanoseconds, for how long the feed has been without watchers */
    Feed(String kind, UUID vpcId, LongSupplier ticker) {
        this.kind = kind;
        this.vpcId = vpcId;
        this.ticker = ticker;
        this.idleSinceNanos = ticker.getAsLong();
    }

    boolean isLoaded() {
        return published >= 0;
    }

    /** The highest revision whose entries are all in place. */
    long published() {
        return published;
    }

    /** Entries after {@code afterRevision} up to {@link #published()} (a live view; iterate once). */
    Collection<Entry> since(long afterRevision, long upTo) {
        if (upTo <= afterRevision) {
            return List.of();
        }
        return byRevision.subMap(afterRevision, false, upTo, true).values();
    }

    /** Applies rows read from the database (in revision order) and wakes the watchers. */
    synchronized void apply(List<FeedRow> rows, ObjectMapper json, boolean initial) {
        long max = Math.max(published, 0);
        for (FeedRow r : rows) {
            Long old = revisionByKey.get(r.key());
            if (old != null && old >= r.revision()) {
                continue;
            }
            if (old != null) {
                byRevision.remove(old);
            }
            byRevision.put(
                    r.revision(),
                    new Entry(r.key(), r.revision(), r.deleted(), line(r, json), r.deviceId(), r.metaKey()));
            revisionByKey.put(r.key(), r.revision());
            max = Math.max(max, r.revision());
        }
        if (initial || max > published) {
            published = max;
            watchers.forEach(Waker::wake);
        }
    }

    private byte[] line(FeedRow r, ObjectMapper json) {
        try {
            byte[] b = json.writeValueAsBytes(
                    new EventLine(kind, r.deleted() ? WatchEvent.TYPE_DELETE : WatchEvent.TYPE_CHANGE, r.value()));
            byte[] out = Arrays.copyOf(b, b.length + 1);
            out[b.length] = '\n';
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * True if the row with this key is known and deleted (e.g. a device whose token streams must end). Lock-free: every
     * stream of a device token asks on every wake-up.
     */
    boolean isDeleted(String key) {
        Long rev = revisionByKey.get(key);
        if (rev == null) {
            return false;
        }
        Entry e = byRevision.get(rev);
        return e != null && e.deleted();
    }

    void addWatcher(Waker w) {
        watchers.add(w);
    }

    void removeWatcher(Waker w) {
        watchers.remove(w);
        if (watchers.isEmpty()) {
            idleSinceNanos = ticker.getAsLong();
        }
    }

    int watcherCount() {
        return watchers.size();
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    int size() {
        return byRevision.size();
    }

    void wakeAll() {
        watchers.forEach(Waker::wake);
    }
}
