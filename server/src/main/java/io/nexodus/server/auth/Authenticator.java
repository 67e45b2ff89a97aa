package io.nexodus.server.auth;

/** Turns a bearer token (a JWT, {@code RK:...} or {@code DT:...}) into a principal, or throws a 401 ApiError. */
@FunctionalInterface
public interface Authenticator {
    Principal authenticate(String bearerToken);
}
