package io.nexodus.server.testing;

/** The two databases every DB-backed test runs on. */
public enum Db {
    H2,
    POSTGRES
}
