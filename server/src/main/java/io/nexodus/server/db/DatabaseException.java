package io.nexodus.server.db;

import java.sql.SQLException;

/** A database failure the request cannot recover from (reported as 500 with a trace id; details only in the log). */
public final class DatabaseException extends RuntimeException {
    public DatabaseException(String message, SQLException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }

    /** The SQLSTATE of the cause (e.g. 23505 unique violation). */
    public String sqlState() {
        return getCause() instanceof SQLException s ? s.getSQLState() : null;
    }

    public boolean isUniqueViolation() {
        return "23505".equals(sqlState());
    }
}
