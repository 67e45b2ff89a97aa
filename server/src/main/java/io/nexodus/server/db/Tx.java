package io.nexodus.server.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One database transaction (or one auto-commit read). Besides small query helpers it hands out revisions: the first
 * {@link #nextRevision()} locks the single revision_counter row until commit, so transactions that write watchable
 * rows are serialized and their revisions are ordered exactly as their commits. {@link #signal} records topics to
 * announce once the transaction has committed.
 */
public final class Tx {
    private final Connection c;
    private final Dialect dialect;
    private final Clock clock;
    private final boolean transactional;
    private boolean revisionLocked;
    private long lockRequestedNanos;
    private long lockAcquiredNanos;
    private long revision;
    private boolean revisionDirty;
    private final Set<String> signals = new LinkedHashSet<>();
    private Instant now;

    Tx(Connection c, Dialect dialect, Clock clock, boolean transactional) {
        this.c = c;
        this.dialect = dialect;
        this.clock = clock;
        this.transactional = transactional;
    }

    public Connection connection() {
        return c;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The transaction's timestamp (the same for every row it writes). */
    public Instant now() {
        if (now == null) {
            now = clock.instant();
        }
        return now;
    }

    /** Takes the revision lock (serializes with every other writer of watchable rows and IPAM) without a revision. */
    public void lockRevisions() throws SQLException {
        if (!transactional) {
            throw new IllegalStateException("revisions need a write transaction");
        }
        if (revisionLocked) {
            return;
        }
        lockRequestedNanos = System.nanoTime();
        try (PreparedStatement ps =
                        c.prepareStatement("SELECT last_revision FROM revision_counter WHERE id = 1 FOR UPDATE");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("revision_counter row missing");
            }
            revision = rs.getLong(1);
        }
        revisionLocked = true;
        lockAcquiredNanos = System.nanoTime();
    }

    /** Whether this transaction took the revision lock (it is held until commit or rollback). */
    boolean revisionLocked() {
        return revisionLocked;
    }

    /** Nanos spent waiting for the revision lock. */
    long lockWaitNanos() {
        return lockAcquiredNanos - lockRequestedNanos;
    }

    /** {@link System#nanoTime()} when the revision lock was granted. */
    long lockAcquiredNanos() {
        return lockAcquiredNanos;
    }

    /** A new revision, greater than every committed one. */
    public long nextRevision() throws SQLException {
        lockRevisions();
        revisionDirty = true;
        return ++revision;
    }

    /** Announce {@code topic} to watchers after commit (and to other replicas through NOTIFY on PostgreSQL). */
    public void signal(String topic) {
        signals.add(topic);
    }

    Set<String> signals() {
        return signals;
    }

    void beforeCommit() throws SQLException {
        if (revisionDirty) {
            update("UPDATE revision_counter SET last_revision = ? WHERE id = 1", revision);
        }
    }

    // ---- helpers ----

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args);
                ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        }
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.ofNullable(mapper.map(rs)) : Optional.empty();
        }
    }

    public boolean exists(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args);
                ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    public long count(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    public int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args)) {
            return ps.executeUpdate();
        }
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof Instant t) {
                    a = OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
                }
                ps.setObject(i + 1, a);
            }
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
        return ps;
    }
}
