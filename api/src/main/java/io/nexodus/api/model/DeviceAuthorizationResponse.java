package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** RFC 8628 §3.2 device authorization response. */
public record DeviceAuthorizationResponse(
        @JsonProperty("device_code") String deviceCode,
        @JsonProperty("user_code") String userCode,
        @JsonProperty("verification_uri") String verificationUri,
        @JsonProperty("verification_uri_complete") String verificationUriComplete,
        @JsonProperty("expires_in") long expiresIn,
        @JsonProperty("interval") long interval) {}
