package io.nexodus.nexctl.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.nexodus.api.model.TokenResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * The tokens cached for one service URL after {@code nexctl login}, and the CA file given at login ({@code caCert},
 * absolute; null when none), which later commands for that service trust without {@code --ca-cert}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredToken(
        @JsonProperty("username") String username,
        @JsonProperty("access_token") String accessToken,
        @JsonProperty("refresh_token") String refreshToken,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("refresh_expires_at") Instant refreshExpiresAt,
        @JsonProperty("obtained_at") Instant obtainedAt,
        @JsonProperty("ca_cert") String caCert) {

    /** What a token endpoint answered at {@code now}. */
    public static StoredToken from(String username, TokenResponse t, Instant now) {
        Instant refreshExpiry = t.refreshExpiresIn() == null || t.refreshExpiresIn() <= 0
                ? null
                : now.plusSeconds(t.refreshExpiresIn());
        return new StoredToken(
                username,
                t.accessToken(),
                t.refreshToken(),
                now.plusSeconds(Math.max(0, t.expiresIn())),
                refreshExpiry,
                now,
                null);
    }

    /** The same tokens, remembering {@code caCert} (null: none) for the service. */
    public StoredToken withCaCert(String caCert) {
        return new StoredToken(username, accessToken, refreshToken, expiresAt, refreshExpiresAt, obtainedAt, caCert);
    }

    /** The access token is still good for at least {@code margin}. */
    public boolean fresh(Instant now, Duration margin) {
        return accessToken != null && expiresAt != null && now.plus(margin).isBefore(expiresAt);
    }

    /** There is a refresh token that has not expired. */
    public boolean refreshable(Instant now) {
        return refreshToken != null
                && !refreshToken.isEmpty()
                && (refreshExpiresAt == null || now.isBefore(refreshExpiresAt));
    }
}
