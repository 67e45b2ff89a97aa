package io.nexodus.server.audit;

import io.nexodus.api.model.AuditEvent;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: who changed what, when, from where, and with what result — every change requested through the API
 * (by users, registration keys and devices; {@link io.nexodus.server.http.ApiRouter} reports them) and every password
 * login at the built-in identity provider. Each entry is one structured log line (logger {@code
 * io.nexodus.server.audit}, INFO) and one row that administrators query with {@code GET /api/audit-events}; the row is
 * shared by all replicas. Entries are written after the answer is known, so a service killed in between loses that
 * entry (the change itself is committed or not by its own transaction).
 *
 * <p>Requests without valid credentials are not recorded: they change nothing, and recording them would let anyone
 * grow the table. Failed logins are, bounded by the login throttle per account and per address.
 */
public final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    /** How long entries are kept; garbage collection removes older ones. */
    public static final Duration RETENTION = Duration.ofDays(90);

    private final Database db;
    private final AuditStore store = new AuditStore();

    public AuditLog(Database db) {
        this.db = db;
    }

    /** A request that changed, or tried to change, something; {@code principal} is the authenticated caller. */
    public void request(Principal principal, String source, String action, String target, int status) {
        Actor a = Actor.of(principal);
        write(a.kind(), a.id(), a.name(), source, action, target, status);
    }

    /** A password login at the built-in identity provider; {@code accountId} is null when it failed. */
    public void login(String username, UUID accountId, String source, String target, int status) {
        write(AuditEvent.ACTOR_ACCOUNT, accountId, username, source, AuditEvent.ACTION_LOGIN, target, status);
    }

    /** Entries matching {@code q}, newest first. */
    public List<AuditEvent> query(AuditQuery q) {
        return db.read(tx -> store.query(tx, q));
    }

    private void write(String kind, UUID id, String name, String source, String action, String target, int status) {
        String n = AuditStore.clip(name, AuditStore.NAME_LENGTH);
        String s = AuditStore.clip(source, AuditStore.SOURCE_LENGTH);
        String act = AuditStore.clip(action, AuditStore.ACTION_LENGTH);
        String t = AuditStore.clip(target, AuditStore.TARGET_LENGTH);
        log.info(
                "audit action={} actor={}:{} actor_id={} source={} target={} status={}",
                quote(act),
                kind,
                quote(n),
                id == null ? "-" : id,
                quote(s),
                quote(t),
                status);
        Instant now = db.clock().instant();
        try {
            db.write(tx -> {
                store.insert(tx, now, kind, id, n, s, act, t, status);
                return null;
            });
        } catch (RuntimeException e) {
            // the log line above is the record of last resort; the request itself is not failed for this
            log.error("audit entry not stored ({}): {}", act, e.toString());
        }
    }

    /**
     * A value for a {@code key=value} log line: quoted, with quotes, backslashes and control characters escaped, so
     * that a typed username cannot forge a second line or another field.
     */
    static String quote(String v) {
        if (v == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder(v.length() + 2).append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20
                    || c == 0x7f
                    || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private record Actor(String kind, UUID id, String name) {
        static Actor of(Principal p) {
            return switch (p) {
                case Principal.UserPrincipal u -> new Actor(AuditEvent.ACTOR_USER, u.userId(), u.username());
                case Principal.RegKeyPrincipal k -> new Actor(AuditEvent.ACTOR_REG_KEY, k.regKeyId(), null);
                case Principal.DevicePrincipal d -> new Actor(AuditEvent.ACTOR_DEVICE, d.deviceId(), null);
            };
        }
    }
}
