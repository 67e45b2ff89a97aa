package io.nexodus.server.audit;

import io.nexodus.api.model.AuditEvent;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Tx;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The SQL of the audit log ({@code audit_events}). */
final class AuditStore {
    /** Column widths (V6 migration); longer values are cut, never refused: an audit entry is always written. */
    static final int NAME_LENGTH = 255;

    static final int SOURCE_LENGTH = 64;
    static final int ACTION_LENGTH = 128;
    static final int TARGET_LENGTH = 512;

    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    void insert(
            Tx tx,
            Instant at,
            String kind,
            UUID actorId,
            String actorName,
            String source,
            String action,
            String target,
            int status)
            throws SQLException {
        tx.update(
                "INSERT INTO audit_events (at, actor_kind, actor_id, actor_name, source, action, target, status)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                at,
                kind,
                actorId,
                actorName,
                source == null ? "" : source,
                action,
                target == null ? "" : target,
                status);
    }

    List<AuditEvent> query(Tx tx, AuditQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder(
                "SELECT id, at, actor_kind, actor_id, actor_name, source, action, target, status FROM audit_events"
                        + " WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (q.before() != null) {
            sql.append(" AND id < ?");
            args.add(q.before());
        }
        if (q.since() != null) {
            sql.append(" AND at >= ?");
            args.add(q.since());
        }
        if (q.actor() != null) {
            UUID id = uuidOrNull(q.actor());
            if (id != null) {
                sql.append(" AND actor_id = ?");
                args.add(id);
            } else {
                sql.append(" AND actor_name = ?");
                args.add(q.actor());
            }
        }
        if (q.action() != null) {
            sql.append(" AND action = ?");
            args.add(q.action());
        }
        sql.append(" ORDER BY id DESC FETCH FIRST ").append(q.limit()).append(" ROWS ONLY");
        return tx.query(
                sql.toString(),
                rs -> {
                    int status = rs.getInt("status");
                    return new AuditEvent(
                            rs.getLong("id"),
                            Cols.instant(rs, "at"),
                            rs.getString("actor_kind"),
                            Cols.uuid(rs, "actor_id"),
                            rs.getString("actor_name"),
                            rs.getString("source"),
                            rs.getString("action"),
                            rs.getString("target"),
                            status,
                            status < 400 ? AuditEvent.OUTCOME_SUCCESS : AuditEvent.OUTCOME_FAILURE);
                },
                args.toArray());
    }

    private static UUID uuidOrNull(String s) {
        try {
            return s.length() == 36 ? UUID.fromString(s) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
