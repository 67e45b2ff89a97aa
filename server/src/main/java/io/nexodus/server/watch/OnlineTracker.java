package io.nexodus.server.watch;

import io.nexodus.server.db.Database;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device is online while it has a watch stream open. Connecting sets {@code online=true} and bumps
 * {@code online_epoch}; when its last stream here closes, after a grace period, {@code online=false} is written only if
 * the epoch is unchanged (so a reconnect through another replica meanwhile is not overwritten).
 * <p>
 * These writes do not take a revision: online status is not streamed to watchers (each connect would otherwise send
 * an event to every watcher of the VPC: N² events when N devices connect). GET endpoints show it live.
 */
public final class OnlineTracker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnlineTracker.class);

    private final Database db;
    private final ScheduledExecutorService timer;
    private final Duration grace;
    private final Map<UUID, long[]> local = new ConcurrentHashMap<>(); // device -> {open streams, epoch}

    public OnlineTracker(Database db, ScheduledExecutorService timer, Duration grace) {
        this.db = db;
        this.timer = timer;
        this.grace = grace;
    }

    /** Marks every device offline (embedded database: this process is the only one tracking). */
    public void resetAll() {
        db.write(tx -> tx.update("UPDATE devices SET online = FALSE WHERE online = TRUE"));
    }

    public void connected(UUID deviceId) {
        boolean first;
        synchronized (this) {
            long[] s = local.computeIfAbsent(deviceId, k -> new long[2]);
            first = s[0]++ == 0;
        }
        if (!first) return;
        try {
            long epoch = db.write(tx -> {
                tx.update("UPDATE devices SET online = TRUE, online_at = ?, online_epoch = online_epoch + 1 WHERE id = ? AND deleted_at IS NULL",
                        tx.now(), deviceId);
                return tx.queryOne("SELECT online_epoch FROM devices WHERE id = ?", rs -> rs.getLong(1), deviceId).orElse(0L);
            });
            synchronized (this) {
                long[] s = local.get(deviceId);
                if (s != null) s[1] = epoch;
            }
        } catch (RuntimeException e) {
            log.warn("cannot mark device {} online: {}", deviceId, e.getMessage());
        }
    }

    public void disconnected(UUID deviceId) {
        synchronized (this) {
            long[] s = local.get(deviceId);
            if (s == null || --s[0] > 0) return;
        }
        timer.schedule(() -> Thread.ofVirtual().start(() -> markOfflineIfIdle(deviceId)), grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void markOfflineIfIdle(UUID deviceId) {
        long epoch;
        synchronized (this) {
            long[] s = local.get(deviceId);
            if (s == null || s[0] > 0) return;
            local.remove(deviceId);
            epoch = s[1];
        }
        try {
            db.write(tx -> tx.update("UPDATE devices SET online = FALSE, online_at = ? WHERE id = ? AND online_epoch = ?", tx.now(), deviceId, epoch));
        } catch (RuntimeException e) {
            log.warn("cannot mark device {} offline: {}", deviceId, e.getMessage());
        }
    }

    public boolean isTracked(UUID deviceId) {
        long[] s = local.get(deviceId);
        return s != null && s[0] > 0;
    }

    /** Graceful shutdown: devices whose streams this process held go offline now. */
    @Override
    public void close() {
        for (UUID id : local.keySet()) {
            long[] s = local.remove(id);
            if (s == null) continue;
            try {
                db.write(tx -> tx.update("UPDATE devices SET online = FALSE, online_at = ? WHERE id = ? AND online_epoch = ?", tx.now(), id, s[1]));
            } catch (RuntimeException e) {
                log.debug("cannot mark device {} offline at shutdown: {}", id, e.getMessage());
            }
        }
    }
}
