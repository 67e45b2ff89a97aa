package io.nexodus.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's database: a connection pool, the Flyway migrations (one history for H2 and PostgreSQL), and
 * transactions. Writers use {@link #write}; readers {@link #read}. After a write commits, its signal topics go to
 * {@code onCommitted} (the in-process signal bus); on PostgreSQL they are also sent with {@code pg_notify} inside
 * the transaction so other replicas hear them exactly when the change becomes visible.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    public static final String NOTIFY_CHANNEL = "nexodus_signals";

    private final HikariDataSource ds;
    private final Dialect dialect;
    private final Clock clock;
    private final String jdbcUrl;
    private volatile Consumer<Set<String>> onCommitted = s -> {};
    private volatile String notifyPrefix = "";
    private final LongAdder lockWorkNanos = new LongAdder();
    private final LongAdder lockCommitNanos = new LongAdder();
    private final LongAdder lockWaitNanos = new LongAdder();
    private final LongAdder lockAcquisitions = new LongAdder();

    /**
     * The PostgreSQL advisory lock every replica holds from before its migration to the end of its first-start steps
     * (IPAM pools, signing keys, admin account), so replicas started at the same moment on a fresh database run those
     * steps one after the other and all find what the first one created.
     */
    static final long FIRST_START_LOCK = 0x6e65786f64757301L;

    private static final String FIRST_START_LOCK_TIMEOUT = "120s";
    private volatile Connection firstStartLock;

    private Database(HikariDataSource ds, Dialect dialect, Clock clock, String jdbcUrl, Connection firstStartLock) {
        this.firstStartLock = firstStartLock;
        this.ds = ds;
        this.dialect = dialect;
        this.clock = clock;
        this.jdbcUrl = jdbcUrl;
    }

    /**
     * Connects (retrying for {@code connectTimeout} while the database is not up yet), migrates, and returns the
     * database. H2 URLs get the settings the service relies on (PostgreSQL mode, lower-case names, commit durability) and
     * a per-session cache of parsed statements big enough for a device registration (H2's default of 8 made it re-parse
     * most of its ~15 statements every time).
     */
    public static Database open(String jdbcUrl, String user, String password, int poolSize, Clock clock) {
        Dialect dialect = Dialect.of(jdbcUrl);
        String url = dialect == Dialect.H2 ? h2Url(jdbcUrl) : jdbcUrl;
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        if (user != null) {
            hc.setUsername(user);
        }
        if (password != null) {
            hc.setPassword(password);
        }
        hc.setMaximumPoolSize(poolSize);
        hc.setMinimumIdle(Math.min(2, poolSize));
        hc.setPoolName("nexodus-db");
        hc.setConnectionTimeout(30_000);
        hc.setInitializationFailTimeout(-1);
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        if (dialect == Dialect.H2) {
            refuseH2InUse(url, user, password);
        }
        HikariDataSource ds = new HikariDataSource(hc);
        Connection lock = null;
        try {
            waitForConnection(ds, 60_000);
            if (dialect == Dialect.POSTGRES) {
                lock = takeFirstStartLock(url, user, password);
            }
            try {
                Flyway.configure()
                        .dataSource(ds)
                        .locations("classpath:db/migration")
                        .table("schema_history")
                        .load()
                        .migrate();
            } catch (FlywayException e) {
                String why = String.valueOf(e.getMessage()).strip();
                int nl = why.indexOf('\n');
                throw new IllegalStateException(
                        "cannot migrate the database schema: " + (nl < 0 ? why : why.substring(0, nl)), e);
            }
        } catch (RuntimeException e) {
            closeQuietly(lock);
            ds.close();
            throw e;
        }
        return new Database(ds, dialect, clock, url, lock);
    }

    /**
     * Takes the first-start lock on a connection of its own (outside the pool, which may be as small as one
     * connection); the lock lives as long as that session, so a replica that dies while holding it releases it.
     */
    private static Connection takeFirstStartLock(String url, String user, String password) {
        Connection c = null;
        try {
            Properties p = new Properties();
            if (user != null) {
                p.setProperty("user", user);
            }
            if (password != null) {
                p.setProperty("password", password);
            }
            c = DriverManager.getConnection(url, p);
            try (Statement st = c.createStatement()) {
                st.execute("SET lock_timeout = '" + FIRST_START_LOCK_TIMEOUT + "'");
                st.execute("SELECT pg_advisory_lock(" + FIRST_START_LOCK + ")");
            }
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new DatabaseException(
                    "cannot take the first-start lock (another replica held it for more than "
                            + FIRST_START_LOCK_TIMEOUT + ", or the database refused): " + e.getMessage(),
                    e);
        }
    }

    /**
     * Ends the first-start steps: other replicas waiting to start may now run theirs (and find everything already
     * created). Idempotent; also done by {@link #close()}.
     */
    public void firstStartDone() {
        Connection c = firstStartLock;
        firstStartLock = null;
        if (c != null) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_unlock(" + FIRST_START_LOCK + ")");
            } catch (SQLException e) {
                log.debug("releasing the first-start lock: {}", e.getMessage()); // closing the session releases it
            }
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("closing a connection: {}", e.getMessage());
            }
        }
    }

    /** The default embedded database file under {@code dataDir}. */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("nexodus");
    }

    static String h2Url(String url) {
        StringBuilder sb = new StringBuilder(url);
        // DB_CLOSE_ON_EXIT=FALSE: H2's own JVM shutdown hook would close the database while the service's graceful
        // shutdown (another hook) may still use it; close() closes it after the last write.
        for (String opt : new String[] {
            "MODE=PostgreSQL",
            "DATABASE_TO_LOWER=TRUE",
            "DEFAULT_NULL_ORDERING=HIGH",
            "WRITE_DELAY=0",
            "LOCK_TIMEOUT=20000",
            "DB_CLOSE_ON_EXIT=FALSE",
            "QUERY_CACHE_SIZE=64"
        }) {
            String key = opt.substring(0, opt.indexOf('=') + 1);
            if (!url.toUpperCase(Locale.ROOT).contains(";" + key)) {
                sb.append(';').append(opt);
            }
        }
        return sb.toString();
    }

    private static void waitForConnection(HikariDataSource ds, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        long delay = 200;
        while (true) {
            SQLException failure;
            try (Connection c = ds.getConnection()) {
                if (c.isValid(5)) {
                    return;
                }
                failure = new SQLException("connection is not valid");
            } catch (SQLException e) {
                failure = e;
            }
            String why = whyNoConnection(failure);
            if (System.currentTimeMillis() > deadline) {
                throw new DatabaseException(
                        "cannot connect to the database " + redact(ds.getJdbcUrl()), new SQLException(why, failure));
            }
            log.warn("database not reachable yet ({}); retrying", why);
            sleep(delay);
            delay = Math.min(delay * 2, 5000);
        }
    }

    /**
     * Stops at once when another process has the embedded database file open (the pool would wait 30 s per try for
     * a file the other process keeps until it stops).
     */
    private static void refuseH2InUse(String url, String user, String password) {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        try (Connection c = DriverManager.getConnection(url, p)) {
            log.debug("embedded database {} is free", c.getMetaData().getURL());
        } catch (SQLException e) {
            if (h2FileInUse(e)) {
                throw new IllegalStateException(
                        "the embedded database " + url.replaceAll(";.*", "")
                                + " is open in another process; the embedded H2 database serves one service process"
                                + " (several replicas need PostgreSQL: --db-url jdbc:postgresql://...)",
                        e);
            }
            // anything else is for the pool's retries and their explanation
        }
    }

    /** H2's "Database may be already in use" (error 90020): another process has the database file open. */
    static boolean h2FileInUse(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getErrorCode() == 90020 && "90020".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * What went wrong, for people: the pool's "Connection is not available, request timed out after 30000ms" carries
     * the driver's reason (e.g. "Connection to db:5432 refused", "password authentication failed") as its cause.
     */
    static String whyNoConnection(SQLException e) {
        Throwable reason = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
        String m = String.valueOf(reason.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    public Dialect dialect() {
        return dialect;
    }

    public Clock clock() {
        return clock;
    }

    public DataSource dataSource() {
        return ds;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /**
     * Where committed signal topics go (in-process). {@code instanceId} prefixes NOTIFY payloads so a replica can
     * skip its own notifications (it has already delivered them locally).
     */
    public void onCommitted(Consumer<Set<String>> listener, String instanceId) {
        this.onCommitted = listener;
        this.notifyPrefix = instanceId + "|";
    }

    /** Runs {@code work} in an auto-commit connection (no locks; each statement sees committed data). */
    public <T> T read(SqlFunction<T> work) {
        try (Connection c = ds.getConnection()) {
            return work.apply(new Tx(c, dialect, clock, false));
        } catch (SQLException e) {
            throw new DatabaseException("database read failed", e);
        }
    }

    /** Runs {@code work} in a transaction; retried (up to 5 times) on serialization failures, deadlocks and lock timeouts. */
    public <T> T write(SqlFunction<T> work) {
        for (int attempt = 1; ; attempt++) {
            Set<String> signals;
            T result;
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                Tx tx = new Tx(c, dialect, clock, true);
                long commitStart = 0;
                try {
                    result = work.apply(tx);
                    tx.beforeCommit();
                    signals = tx.signals();
                    if (dialect == Dialect.POSTGRES && !signals.isEmpty()) {
                        notify(c, signals);
                    }
                    commitStart = System.nanoTime();
                    c.commit();
                } catch (SQLException | RuntimeException | Error e) {
                    rollbackQuietly(c);
                    throw e;
                } finally {
                    if (tx.revisionLocked()) {
                        long end = System.nanoTime();
                        if (commitStart == 0) {
                            commitStart = end;
                        }
                        lockWorkNanos.add(commitStart - tx.lockAcquiredNanos());
                        lockCommitNanos.add(end - commitStart);
                        lockWaitNanos.add(tx.lockWaitNanos());
                        lockAcquisitions.increment();
                    }
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (attempt < 5 && retryable(e)) {
                    log.debug("retrying transaction after {} ({})", e.getSQLState(), e.getMessage());
                    sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt));
                    continue;
                }
                throw new DatabaseException("database write failed", e);
            }
            if (!signals.isEmpty()) {
                onCommitted.accept(signals);
            }
            return result;
        }
    }

    private void notify(Connection c, Set<String> topics) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            for (String t : topics) {
                ps.setString(1, NOTIFY_CHANNEL);
                ps.setString(2, notifyPrefix + t);
                ps.execute();
            }
        }
    }

    static boolean retryable(SQLException e) {
        String s = e.getSQLState();
        // 40001 serialization failure / H2 deadlock, 40P01 PostgreSQL deadlock, HYT00 H2 lock timeout
        return "40001".equals(s) || "40P01".equals(s) || "HYT00".equals(s);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            log.warn("rollback failed: {}", e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Total time transactions of this process spent between taking the revision lock and starting their commit, in
     * seconds. The lock is held until the database has committed, somewhere within {@link #revisionLockCommitSeconds}.
     */
    public double revisionLockWorkSeconds() {
        return lockWorkNanos.sum() / 1e9;
    }

    /** Total time the commits of transactions that took the revision lock took, in seconds. */
    public double revisionLockCommitSeconds() {
        return lockCommitNanos.sum() / 1e9;
    }

    /** Total time transactions of this process waited for the revision lock, in seconds. */
    public double revisionLockWaitSeconds() {
        return lockWaitNanos.sum() / 1e9;
    }

    public double revisionLockAcquisitions() {
        return lockAcquisitions.sum();
    }

    /** True once the pool can hand out a working connection (readiness). */
    public boolean isHealthy() {
        try (Connection c = ds.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Closes the pool. With H2 that also closes the database file cleanly: H2 closes a database when its last
     * connection closes (no DB_CLOSE_DELAY). An explicit {@code SHUTDOWN} through the pool left the pool's connection
     * proxy to touch a dead connection, which H2 wrote to {@code nexodus.trace.db} as an error on every stop.
     */
    @Override
    public void close() {
        firstStartDone();
        ds.close();
    }
}
