package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;

/** One metadata entry of a device: any JSON value under a key (e.g. key {@code relay}). */
public record DeviceMetadata(
        @JsonProperty("device_id") UUID deviceId,
        @JsonProperty("key") String key,
        @JsonProperty("value") JsonNode value,
        @JsonProperty("revision") long revision) {}
