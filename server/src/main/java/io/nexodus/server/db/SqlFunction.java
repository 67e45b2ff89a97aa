package io.nexodus.server.db;

import java.sql.SQLException;

/** Work done inside one transaction. */
@FunctionalInterface
public interface SqlFunction<T> {
    T apply(Tx tx) throws SQLException;
}
