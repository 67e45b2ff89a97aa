package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A candidate address at which a device's WireGuard port may be reached. {@code source} is {@code "local"} for the
 * LAN address or {@code "stun:<server>"} for the reflexive address a STUN server saw.
 */
public record Endpoint(
        @Limits(maxLength = 300) @JsonProperty("source") String source,
        @Limits(maxLength = 64) @JsonProperty("address") String address) {
    public static final String SOURCE_LOCAL = "local";
    public static final String SOURCE_STUN_PREFIX = "stun:";
}
