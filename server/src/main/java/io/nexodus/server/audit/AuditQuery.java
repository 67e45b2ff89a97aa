package io.nexodus.server.audit;

import java.time.Instant;

/**
 * A filter over the audit log; null fields do not filter.
 *
 * @param limit  at most this many entries (1 to {@link #MAX_LIMIT})
 * @param before only entries with a smaller id (the next page: the last id of the previous one)
 * @param since  only entries written at or after this time
 * @param actor  only entries whose actor has this name or id
 * @param action only entries with exactly this action
 */
public record AuditQuery(int limit, Long before, Instant since, String actor, String action) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
}
