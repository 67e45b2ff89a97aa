package io.nexodus.server.watch;

import io.nexodus.server.db.Database;
import io.nexodus.server.device.DeviceStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device is online while it has a watch stream open. Connecting sets {@code online=true} and bumps
 * {@code online_epoch}; when its last stream here closes, after a grace period, {@code online=false} is written only if
 * the epoch is unchanged (so a reconnect through another replica meanwhile is not overwritten).
 * <p>
 * These writes do not take a revision: online status is not streamed to watchers (each connect would otherwise send
 * an event to every watcher of the VPC: N² events when N devices connect). GET endpoints show it live.
 * <p>
 * Writes are group-committed: one writer drains everything queued meanwhile (up to {@link #MAX_BATCH} devices) into a
 * single transaction, in queue order. When thousands of agents connect at once (a first roll-out, a load test) that is
 * a handful of commits instead of one per stream; a connecting stream still waits until its device is marked online,
 * so {@code online} is true before the stream sends its initial list.
 */
public final class OnlineTracker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnlineTracker.class);
    static final int MAX_BATCH = 500;
    private static final long UNKNOWN_EPOCH = -1;

    /** A queued status write. */
    private sealed interface Op permits Online, Offline {}

    private record Online(UUID deviceId, CompletableFuture<Void> done) implements Op {}

    private record Offline(UUID deviceId, long epoch) implements Op {}

    private final Database db;
    private final DeviceStore devices;
    private final ScheduledExecutorService timer;
    private final Duration grace;
    private final Map<UUID, long[]> local =
            new ConcurrentHashMap<>(); // device -> {open streams, epoch}; guarded by this
    private final ConcurrentLinkedQueue<Op> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();

    public OnlineTracker(Database db, DeviceStore devices, ScheduledExecutorService timer, Duration grace) {
        this.db = db;
        this.devices = devices;
        this.timer = timer;
        this.grace = grace;
    }

    /** Marks every device offline (embedded database: this process is the only one tracking). */
    public void resetAll() {
        db.write(tx -> {
            devices.markAllOffline(tx);
            return null;
        });
    }

    /** A stream of this device opened; the first one waits (up to 30 s) until the device is marked online. */
    public void connected(UUID deviceId) {
        boolean first;
        synchronized (this) {
            long[] s = local.computeIfAbsent(deviceId, k -> new long[] {0, UNKNOWN_EPOCH});
            first = s[0]++ == 0;
        }
        if (!first) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        enqueue(new Online(deviceId, done));
        try {
            done.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn(
                    "cannot mark device {} online: {}",
                    deviceId,
                    e.getCause() != null ? e.getCause().getMessage() : e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void disconnected(UUID deviceId) {
        synchronized (this) {
            long[] s = local.get(deviceId);
            if (s == null || --s[0] > 0) {
                return;
            }
        }
        ScheduledFuture<?> _ =
                timer.schedule(() -> markOfflineIfIdle(deviceId), grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void markOfflineIfIdle(UUID deviceId) {
        long epoch;
        synchronized (this) {
            long[] s = local.get(deviceId);
            if (s == null || s[0] > 0) {
                return;
            }
            local.remove(deviceId);
            epoch = s[1];
        }
        if (epoch != UNKNOWN_EPOCH) {
            enqueue(new Offline(deviceId, epoch));
        }
    }

    public boolean isTracked(UUID deviceId) {
        long[] s = local.get(deviceId);
        return s != null && s[0] > 0;
    }

    private void enqueue(Op op) {
        queue.add(op);
        if (writing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("online-status-writer").start(this::drain);
        }
    }

    /** Single writer: batches of queued ops, each batch one transaction, until the queue is empty. */
    private void drain() {
        while (true) {
            List<Op> batch = new ArrayList<>();
            for (Op op; batch.size() < MAX_BATCH && (op = queue.poll()) != null; ) {
                batch.add(op);
            }
            if (!batch.isEmpty()) {
                write(batch);
            }
            writing.set(false);
            // an op queued after the poll above but before the flag was cleared must not be stranded
            if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private void write(List<Op> batch) {
        try {
            Map<UUID, Long> epochs = db.write(tx -> {
                Map<UUID, Long> out = new HashMap<>();
                for (Op op : batch) {
                    switch (op) {
                        case Online on -> devices.markOnline(tx, on.deviceId());
                        case Offline off -> devices.markOffline(tx, off.deviceId(), off.epoch());
                    }
                }
                for (Op op : batch) {
                    if (op instanceof Online on) {
                        devices.onlineEpoch(tx, on.deviceId()).ifPresent(e -> out.put(on.deviceId(), e));
                    }
                }
                return out;
            });
            synchronized (this) {
                epochs.forEach((id, epoch) -> {
                    long[] s = local.get(id);
                    if (s != null) {
                        s[1] = epoch;
                    }
                });
            }
            for (Op op : batch) {
                if (op instanceof Online on) {
                    on.done().complete(null);
                }
            }
        } catch (RuntimeException e) {
            log.warn("cannot write the online status of {} devices: {}", batch.size(), e.getMessage());
            for (Op op : batch) {
                if (op instanceof Online on) {
                    on.done().completeExceptionally(e);
                }
            }
        }
    }

    /** Graceful shutdown: devices whose streams this process held go offline now (one transaction). */
    @Override
    public void close() {
        List<Op> offline = new ArrayList<>();
        synchronized (this) {
            local.forEach((id, s) -> {
                if (s[1] != UNKNOWN_EPOCH) {
                    offline.add(new Offline(id, s[1]));
                }
            });
            local.clear();
        }
        for (int i = 0; i < offline.size(); i += MAX_BATCH) {
            List<Op> part = offline.subList(i, Math.min(offline.size(), i + MAX_BATCH));
            try {
                db.write(tx -> {
                    for (Op op : part) {
                        Offline off = (Offline) op;
                        devices.markOffline(tx, off.deviceId(), off.epoch());
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                log.debug("cannot mark {} devices offline at shutdown: {}", part.size(), e.getMessage());
            }
        }
    }
}
