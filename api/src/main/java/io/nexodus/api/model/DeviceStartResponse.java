package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * Response of {@code POST /device/login/start}: where the identity provider is, which client id to use, and the
 * server's clock ({@code server_time}) so clients can correct for skew when checking token times.
 */
public record DeviceStartResponse(
        @JsonProperty("device_authorization_endpoint") String deviceAuthorizationEndpoint,
        @JsonProperty("issuer") String issuer,
        @JsonProperty("client_id") String clientId,
        @JsonProperty("server_time") Instant serverTime) {}
