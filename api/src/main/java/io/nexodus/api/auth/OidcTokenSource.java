package io.nexodus.api.auth;

import io.nexodus.api.model.TokenResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A bearer-token supplier for {@link io.nexodus.api.client.NexodusClient} that refreshes the access token shortly
 * before it expires (refresh-token grant) and reports new tokens to {@code onRefresh} (e.g. to persist them). A login
 * that can be repeated without the user (a password grant) gives {@code relogin}: it is used when the refresh token is
 * refused or missing, e.g. after the provider's session ended (a login without offline access lasts only as long).
 */
public final class OidcTokenSource implements Supplier<String> {
    private static final Duration EARLY = Duration.ofSeconds(30);

    private final OidcClient idp;
    private final Clock clock;
    private final Consumer<TokenResponse> onRefresh;
    private final Supplier<TokenResponse> relogin;
    private TokenResponse current;
    private Instant expiresAt;

    public OidcTokenSource(OidcClient idp, TokenResponse initial, Clock clock, Consumer<TokenResponse> onRefresh) {
        this(idp, initial, clock, onRefresh, null);
    }

    /** As above; {@code relogin} (may be null) logs in again when the refresh token is refused or missing. */
    public OidcTokenSource(
            OidcClient idp,
            TokenResponse initial,
            Clock clock,
            Consumer<TokenResponse> onRefresh,
            Supplier<TokenResponse> relogin) {
        this.idp = Objects.requireNonNull(idp);
        this.clock = clock;
        this.onRefresh = onRefresh;
        this.relogin = relogin;
        set(initial);
    }

    @Override
    public synchronized String get() {
        if (!clock.instant().plus(EARLY).isAfter(expiresAt)) {
            return current.accessToken();
        }
        if (current.refreshToken() != null) {
            try {
                set(idp.refresh(current.refreshToken()));
            } catch (OAuthException e) {
                if (relogin == null) {
                    throw e;
                }
                set(relogin.get());
            }
        } else if (relogin != null) {
            set(relogin.get());
        } else {
            return current.accessToken();
        }
        onRefresh.accept(current);
        return current.accessToken();
    }

    public synchronized TokenResponse current() {
        return current;
    }

    private void set(TokenResponse t) {
        this.current = t;
        this.expiresAt = clock.instant().plusSeconds(Math.max(0, t.expiresIn()));
    }
}
