package io.nexodus.server.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Typed column readers that behave the same on H2 and PostgreSQL. */
public final class Cols {
    private Cols() {}

    public static UUID uuid(ResultSet rs, String col) throws SQLException {
        return rs.getObject(col, UUID.class);
    }

    public static Instant instant(ResultSet rs, String col) throws SQLException {
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    public static String str(ResultSet rs, String col) throws SQLException {
        return rs.getString(col);
    }
}
