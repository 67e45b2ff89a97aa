package io.nexodus.server.http;

/** Who may call a route at all; finer checks (roles, ownership) are in the handlers. */
public enum Access {
    /** No credentials needed. */
    PUBLIC,
    /** Any authenticated principal (user, RK: or DT:); handlers decide further. */
    AUTHENTICATED,
    /** Users only; RK:/DT: tokens get 403. */
    USER,
    /** The built-in identity provider's administrators. */
    ADMIN
}
