package io.nexodus.api.watch;

import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.Json;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live map of one kind of resource, kept by a watch stream: {@code change} upserts (unless older than what it
 * has), {@code delete} removes, {@code tail} marks it synced. {@link #version()} grows on every change so callers
 * can wait for news ({@link #awaitChange}); listeners get each change. Thread-safe to read from any thread.
 */
public final class Informer<T> implements WatchSubscriber {
    private static final Logger log = LoggerFactory.getLogger(Informer.class);

    private final String kind;
    private final Map<String, Object> options;
    private final Class<T> type;
    private final Function<T, String> keyOf;
    private final ToLongFunction<T> revisionOf;
    private final Map<String, T> items = new ConcurrentHashMap<>();
    private final List<InformerListener<T>> listeners = new CopyOnWriteArrayList<>();
    private final Object monitor = new Object();
    private volatile long revision;
    private volatile boolean synced;
    private volatile long version;
    /** Keys seen since {@link #relist()}, until the new list's tail; null when not relisting. */
    private Set<String> relisted;

    /**
     * An informer of {@code kind} items decoded as {@code type}; {@code keyOf} returns null for an item missing the
     * fields of its key (such events are ignored, as undecodable ones are).
     */
    public Informer(
            String kind,
            Map<String, Object> options,
            Class<T> type,
            Function<T, String> keyOf,
            ToLongFunction<T> revisionOf) {
        this.kind = Objects.requireNonNull(kind);
        this.options = Map.copyOf(options);
        this.type = type;
        this.keyOf = keyOf;
        this.revisionOf = revisionOf;
    }

    /** Devices of a VPC, keyed by device id. */
    public static Informer<Device> devices(UUID vpcId) {
        return new Informer<>(
                Watch.KIND_DEVICE,
                Map.of(Watch.OPTION_VPC_ID, vpcId.toString()),
                Device.class,
                d -> d.id() == null ? null : d.id().toString(),
                Device::revision);
    }

    /** Security groups of a VPC, keyed by id. */
    public static Informer<SecurityGroup> securityGroups(UUID vpcId) {
        return new Informer<>(
                Watch.KIND_SECURITY_GROUP,
                Map.of(Watch.OPTION_VPC_ID, vpcId.toString()),
                SecurityGroup.class,
                g -> g.id() == null ? null : g.id().toString(),
                SecurityGroup::revision);
    }

    /** Metadata of the devices of a VPC, keyed by {@code deviceId/key}; {@code key} (nullable) selects one key. */
    public static Informer<DeviceMetadata> deviceMetadata(UUID vpcId, String key) {
        Map<String, Object> o = key == null
                ? Map.of(Watch.OPTION_VPC_ID, vpcId.toString())
                : Map.of(Watch.OPTION_VPC_ID, vpcId.toString(), Watch.OPTION_KEY, key);
        return new Informer<>(
                Watch.KIND_DEVICE_METADATA,
                o,
                DeviceMetadata.class,
                m -> m.deviceId() == null || m.key() == null ? null : m.deviceId() + "/" + m.key(),
                DeviceMetadata::revision);
    }

    /** The VPC itself, keyed by id. */
    public static Informer<Vpc> vpc(UUID vpcId) {
        return new Informer<>(
                Watch.KIND_VPC,
                Map.of(Watch.OPTION_VPC_ID, vpcId.toString()),
                Vpc.class,
                v -> v.id() == null ? null : v.id().toString(),
                Vpc::revision);
    }

    public String kind() {
        return kind;
    }

    @Override
    public Watch currentWatch() {
        return new Watch(kind, revision, synced, options);
    }

    @Override
    public void onEvent(WatchEvent e) {
        if (e.type() == null) {
            log.debug("ignoring {} event without a type", kind);
            return;
        }
        switch (e.type()) {
            case WatchEvent.TYPE_CHANGE -> decode(e.value()).ifPresent(this::applyChange);
            case WatchEvent.TYPE_DELETE -> decode(e.value()).ifPresent(this::applyDelete);
            case WatchEvent.TYPE_RESET -> relist();
            case WatchEvent.TYPE_TAIL -> {
                finishRelist();
                if (!synced) {
                    synced = true;
                    bump();
                    listeners.forEach(InformerListener::onSynced);
                }
            }
            default -> log.debug("ignoring {} event of kind {}", e.type(), kind);
        }
    }

    /**
     * Lists everything again on the next watch: the service's history is no longer ours (it forgot writes we saw, e.g.
     * after a restore from backup), so resuming by revision would skip what it writes until it passes our revision.
     * The items stay meanwhile; the new list replaces them at its {@code tail} (what it lacks is removed, with
     * {@code onDelete}). Call it before the watch is reopened.
     */
    public synchronized void relist() {
        revision = 0;
        synced = false;
        relisted = new HashSet<>();
    }

    private synchronized void finishRelist() {
        if (relisted == null) {
            return;
        }
        Set<String> seen = relisted;
        relisted = null;
        for (Map.Entry<String, T> e : List.copyOf(items.entrySet())) {
            if (!seen.contains(e.getKey())) {
                items.remove(e.getKey());
                bump();
                listeners.forEach(l -> l.onDelete(e.getValue()));
            }
        }
    }

    private synchronized void applyChange(T item) {
        long rev = revisionOf.applyAsLong(item);
        String key = keyOf.apply(item);
        T old = items.get(key);
        if (relisted != null) {
            relisted.add(key); // the new list's version wins, whatever the revision of the one we had
        } else if (old != null && revisionOf.applyAsLong(old) > rev) {
            return;
        }
        items.put(key, item);
        advance(rev);
        bump();
        listeners.forEach(l -> l.onChange(item));
    }

    private synchronized void applyDelete(T item) {
        items.remove(keyOf.apply(item));
        advance(revisionOf.applyAsLong(item));
        bump();
        listeners.forEach(l -> l.onDelete(item));
    }

    private void advance(long rev) {
        if (rev > revision) {
            revision = rev;
        }
    }

    private Optional<T> decode(JsonNode value) {
        if (value == null) {
            return Optional.empty();
        }
        T item;
        try {
            item = Json.mapper().treeToValue(value, type);
        } catch (IOException e) {
            log.warn("ignoring undecodable {} event: {}", kind, e.getMessage());
            return Optional.empty();
        }
        // a JSON null value, or an item missing the fields of its key (e.g. no id): nothing to store it under
        if (item == null || keyOf.apply(item) == null) {
            log.warn("ignoring {} event whose value has no key", kind);
            return Optional.empty();
        }
        return Optional.of(item);
    }

    private void bump() {
        synchronized (monitor) {
            version++;
            monitor.notifyAll();
        }
    }

    /** A snapshot of the current items, by key. */
    public Map<String, T> items() {
        return Map.copyOf(items);
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(items.get(key));
    }

    public int size() {
        return items.size();
    }

    /** True once the initial list has been received ({@code tail}). */
    public boolean isSynced() {
        return synced;
    }

    /** The highest revision applied so far (the resume point). */
    public long revision() {
        return revision;
    }

    /** Grows by one on every applied change, delete or sync. */
    public long version() {
        return version;
    }

    /** Waits until synced; false on timeout. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (!synced) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            return true;
        }
    }

    /** Waits until {@link #version()} differs from {@code seen}; returns the version then (== seen on timeout). */
    public long awaitChange(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (version == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            return version;
        }
    }

    public void addListener(InformerListener<T> l) {
        listeners.add(Objects.requireNonNull(l));
    }

    public void removeListener(InformerListener<T> l) {
        listeners.remove(l);
    }
}
