package io.nexodus.server.ops;

import io.nexodus.server.db.Database;
import java.time.Duration;
import java.util.Map;

/**
 * Garbage collection (administrators, {@code GET /private/gc}): rows soft-deleted longer ago than the retention go
 * for good, as do expired refresh tokens and device codes. Upstream ran it daily.
 */
public final class Gc {
    private final Database db;
    private final GcStore store = new GcStore();

    public Gc(Database db) {
        this.db = db;
    }

    /** Deletes and returns {@code {retention, deleted: {table: rows}}}. */
    public Map<String, Object> collect(Duration retention) {
        var cutoff = db.clock().instant().minus(retention);
        Map<String, Integer> deleted = db.write(tx -> store.collect(tx, cutoff));
        return Map.of("retention", retention.toString(), "deleted", deleted);
    }
}
