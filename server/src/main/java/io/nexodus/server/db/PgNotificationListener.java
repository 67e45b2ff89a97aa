package io.nexodus.server.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays PostgreSQL NOTIFY payloads of other replicas to the in-process signal bus. One dedicated connection in
 * LISTEN mode on a platform thread (it blocks in the driver). When the connection drops it reconnects with backoff
 * and then delivers {@link #ALL} so every feed re-reads what it may have missed.
 */
public final class PgNotificationListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PgNotificationListener.class);
    public static final String ALL = "*";

    private final String jdbcUrl;
    private final Properties props;
    private final String ownPrefix;
    private final Consumer<String> sink;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection conn;

    public PgNotificationListener(
            String jdbcUrl, String user, String password, String instanceId, Consumer<String> sink) {
        this.jdbcUrl = jdbcUrl;
        this.props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("tcpKeepAlive", "true");
        this.ownPrefix = instanceId + "|";
        this.sink = sink;
        this.thread = Thread.ofPlatform().daemon().name("pg-listen").unstarted(this::run);
    }

    public PgNotificationListener start() {
        thread.start();
        return this;
    }

    private void run() {
        long backoff = 500;
        boolean first = true;
        while (!closed) {
            try (Connection c = DriverManager.getConnection(jdbcUrl, props)) {
                conn = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + Database.NOTIFY_CHANNEL);
                }
                if (!first) {
                    log.info("LISTEN connection re-established; refreshing all watch feeds");
                    sink.accept(ALL);
                }
                first = false;
                backoff = 500;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] ns = pg.getNotifications(10_000);
                    if (ns == null) {
                        // timeout: make sure the connection is still alive
                        try (Statement s = c.createStatement()) {
                            s.execute("SELECT 1");
                        }
                        continue;
                    }
                    for (PGNotification n : ns) {
                        String p = n.getParameter();
                        if (p.startsWith(ownPrefix)) {
                            continue;
                        }
                        int bar = p.indexOf('|');
                        sink.accept(bar >= 0 ? p.substring(bar + 1) : p);
                    }
                }
            } catch (SQLException e) {
                if (closed) {
                    break;
                }
                log.warn("LISTEN connection failed ({}); retrying in {} ms", e.getMessage(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    break;
                }
                backoff = Math.min(backoff * 2, 30_000);
            } finally {
                conn = null;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = conn;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
