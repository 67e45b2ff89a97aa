package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An OAuth 2.0 error (RFC 6749 §5.2, RFC 8628 §3.5): {@code invalid_grant}, {@code authorization_pending},
 * {@code slow_down}, {@code access_denied}, {@code expired_token}, ...
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OAuthError(
        @JsonProperty("error") String error,
        @JsonProperty("error_description") String errorDescription) {}
