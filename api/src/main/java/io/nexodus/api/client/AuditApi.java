package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AuditEvent;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code /api/audit-events}: the service's audit log (administrators only). */
public final class AuditApi {
    private final NexodusClient c;

    AuditApi(NexodusClient c) {
        this.c = c;
    }

    /**
     * Entries newest first; every argument may be null (no filter).
     *
     * @param limit  at most this many (the service's default is 100, its maximum 1000)
     * @param before only entries with a smaller id (paging: the last id of the previous page)
     * @param since  only entries at or after this time
     * @param actor  a username or a user, registration key or device id
     * @param action exactly this action, e.g. {@code login} or {@code DELETE /api/devices/{id}}
     */
    public List<AuditEvent> list(Integer limit, Long before, Instant since, String actor, String action) {
        List<String> q = new ArrayList<>();
        add(q, "limit", limit);
        add(q, "before", before);
        add(q, "since", since);
        add(q, "actor", actor);
        add(q, "action", action);
        String path = "/api/audit-events" + (q.isEmpty() ? "" : "?" + String.join("&", q));
        return c.call("GET", path, null, new TypeReference<List<AuditEvent>>() {});
    }

    private static void add(List<String> q, String name, Object value) {
        if (value != null) {
            q.add(name + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
        }
    }
}
