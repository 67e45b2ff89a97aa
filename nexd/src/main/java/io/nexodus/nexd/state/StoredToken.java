package io.nexodus.nexd.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * An OAuth token as upstream's nexd stores it (Go {@code oauth2.Token}: {@code access_token}, {@code token_type},
 * {@code refresh_token}, {@code expiry}). Only the refresh token matters across restarts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record StoredToken(
        @JsonProperty("access_token") String accessToken,
        @JsonProperty("token_type") String tokenType,
        @JsonProperty("refresh_token") String refreshToken,
        @JsonProperty("expiry") Instant expiry) {

    @Override
    public String toString() {
        return "StoredToken[type=" + tokenType + ", expiry=" + expiry + ", refresh=" + (refreshToken != null) + "]";
    }
}
