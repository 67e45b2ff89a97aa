package io.nexodus.server.ops;

import io.nexodus.server.audit.AuditLog;
import io.nexodus.server.connectivity.Connectivity;
import io.nexodus.server.db.Tx;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The SQL of garbage collection: hard deletes of soft-deleted rows and of expired tokens, device codes and connectivity reports. */
final class GcStore {
    /** Tables with soft-deleted rows, children before parents. */
    private static final List<String> SOFT_DELETED = List.of(
            "invitations",
            "reg_keys",
            "device_metadata",
            "devices",
            "security_groups",
            "vpcs",
            "organizations",
            "users");

    /** How long the key of a device a user deleted stays refused (then it may register as a new device). */
    static final Duration DELETED_DEVICE_KEY_RETENTION = Duration.ofDays(90);

    /** Deletes rows soft-deleted before {@code cutoff} and what has expired; the count per table. */
    Map<String, Integer> collect(Tx tx, Instant cutoff) throws SQLException {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String table : SOFT_DELETED) {
            m.put(
                    table,
                    tx.update("DELETE FROM " + table + " WHERE deleted_at IS NOT NULL AND deleted_at < ?", cutoff));
        }
        m.put(
                "deleted_device_keys",
                tx.update(
                        "DELETE FROM deleted_device_keys WHERE deleted_at < ?",
                        tx.now().minus(DELETED_DEVICE_KEY_RETENTION)));
        m.put(
                "device_connectivity",
                tx.update(
                        "DELETE FROM device_connectivity WHERE reported_at < ?",
                        tx.now().minus(Connectivity.EXPIRE_AFTER)));
        m.put(
                "audit_events",
                tx.update("DELETE FROM audit_events WHERE at < ?", tx.now().minus(AuditLog.RETENTION)));
        m.put("refresh_tokens", tx.update("DELETE FROM refresh_tokens WHERE expires_at < ?", tx.now()));
        m.put("device_codes", tx.update("DELETE FROM device_codes WHERE expires_at < ?", tx.now()));
        return m;
    }
}
