package io.nexodus.server.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AuditEvent;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.Route;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/** {@code GET /api/audit-events}: the audit log, for administrators of the service. */
public final class AuditRoutes {
    private static final int MAX_FILTER_LENGTH = 255;

    private final AuditLog audit;

    public AuditRoutes(AuditLog audit) {
        this.audit = audit;
    }

    public List<Route> routes() {
        return List.of(Route.get("/api/audit-events")
                .tag("Audit")
                .access(Access.ADMIN)
                .summary("The audit log, newest first: changes made through the API and logins (administrators)")
                .query("limit", "at most this many entries, 1 to 1000 (default 100)")
                .query("before", "only entries with a smaller id: pass the last id of a page to get the next")
                .query("since", "only entries at or after this time (RFC 3339, e.g. 2026-12-07T00:00:00Z)")
                .query("actor", "only entries of this actor: a username or a user, registration key or device id")
                .query("action", "only entries with exactly this action, e.g. 'login' or 'DELETE /api/devices/{id}'")
                .returns(new TypeReference<List<AuditEvent>>() {}.getType())
                .errors(400, 401, 403)
                .handler(c -> audit.query(parse(c))));
    }

    static AuditQuery parse(Call c) {
        int limit = c.query("limit")
                .map(v -> (int) number("limit", v, 1, AuditQuery.MAX_LIMIT))
                .orElse(AuditQuery.DEFAULT_LIMIT);
        Long before = c.query("before")
                .map(v -> number("before", v, 1, Long.MAX_VALUE))
                .orElse(null);
        Instant since = c.query("since").map(AuditRoutes::instant).orElse(null);
        return new AuditQuery(limit, before, since, text(c, "actor"), text(c, "action"));
    }

    private static long number(String field, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw ApiError.invalid(field, "must be a whole number from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw ApiError.invalid(field, "must be from " + min + " to " + max);
        }
        return n;
    }

    private static Instant instant(String v) {
        try {
            return Instant.parse(v.strip());
        } catch (DateTimeParseException e) {
            throw ApiError.invalid("since", "must be an RFC 3339 time such as 2026-12-07T00:00:00Z");
        }
    }

    private static String text(Call c, String field) {
        Optional<String> v = c.query(field).map(String::strip).filter(s -> !s.isEmpty());
        if (v.isPresent() && v.get().length() > MAX_FILTER_LENGTH) {
            throw ApiError.invalid(field, "at most " + MAX_FILTER_LENGTH + " characters");
        }
        return v.orElse(null);
    }
}
