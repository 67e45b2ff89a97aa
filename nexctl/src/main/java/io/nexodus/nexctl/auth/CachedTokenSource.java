package io.nexodus.nexctl.auth;

import io.nexodus.api.auth.OAuthException;
import io.nexodus.api.auth.OidcClient;
import io.nexodus.api.model.TokenResponse;
import io.nexodus.nexctl.CliException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The bearer token of a logged-in user, from the {@link CredentialStore}. Shortly before the access token expires
 * it is refreshed with the refresh token (under the store's lock; if another nexctl refreshed meanwhile, its token is
 * used) and the new tokens are saved. A refresh the identity provider refuses means the user has to log in again.
 */
public final class CachedTokenSource implements Supplier<String> {
    /** Refresh this long before expiry so a request never carries a token that expires in flight. */
    static final Duration EARLY = Duration.ofSeconds(30);

    private final CredentialStore store;
    private final URI serviceUrl;
    private final Clock clock;
    private final Supplier<OidcClient> idp;
    private StoredToken current;

    public CachedTokenSource(
            CredentialStore store, URI serviceUrl, StoredToken initial, Clock clock, Supplier<OidcClient> idp) {
        this.store = Objects.requireNonNull(store);
        this.serviceUrl = Objects.requireNonNull(serviceUrl);
        this.current = Objects.requireNonNull(initial);
        this.clock = clock;
        this.idp = idp;
    }

    @Override
    public synchronized String get() {
        if (current.fresh(clock.instant(), EARLY)) {
            return current.accessToken();
        }
        current = store.update(serviceUrl, stored -> {
            Instant now = clock.instant();
            StoredToken latest = stored.orElse(null);
            if (latest != null && latest.fresh(now, EARLY)) {
                return latest;
            } // another nexctl refreshed it
            StoredToken base = latest != null ? latest : current;
            if (!base.refreshable(now)) {
                throw CliException.auth(
                        "the session for " + CredentialStore.key(serviceUrl) + " has expired: run `nexctl login`");
            }
            TokenResponse t;
            try {
                t = idp.get().refresh(base.refreshToken());
            } catch (OAuthException e) {
                throw CliException.auth("the session for " + CredentialStore.key(serviceUrl) + " could not be renewed ("
                        + e.error() + "): run `nexctl login`");
            }
            return StoredToken.from(
                            base.username(),
                            t.refreshToken() == null ? withRefreshToken(t, base.refreshToken()) : t,
                            clock.instant())
                    .withCaCert(base.caCert());
        });
        return current.accessToken();
    }

    public synchronized StoredToken current() {
        return current;
    }

    /** Providers that do not rotate refresh tokens answer without one: keep using the old one. */
    private static TokenResponse withRefreshToken(TokenResponse t, String refreshToken) {
        return new TokenResponse(
                t.accessToken(),
                t.tokenType(),
                t.expiresIn(),
                refreshToken,
                t.refreshExpiresIn(),
                t.idToken(),
                t.scope());
    }
}
