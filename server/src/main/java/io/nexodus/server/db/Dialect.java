package io.nexodus.server.db;

/** The two databases the service runs on; SQL is portable except where a method here says otherwise. */
public enum Dialect {
    /** H2 in PostgreSQL compatibility mode: the embedded default (one file under the data directory). */
    H2,
    /** PostgreSQL (replicas share it; changes are announced with NOTIFY). */
    POSTGRES;

    static Dialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRES;
        }
        throw new IllegalArgumentException(
                "unsupported database URL (use jdbc:h2:... or jdbc:postgresql://...): " + jdbcUrl);
    }
}
