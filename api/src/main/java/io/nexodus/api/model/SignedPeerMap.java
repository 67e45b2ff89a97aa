package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Answer of {@code GET /api/devices/{id}/peer-map}: a {@link PeerMap} as the exact bytes the service signed, so the
 * agent can store and verify them later without re-encoding anything.
 *
 * @param keyId     the service's peer-map key that signed it ({@link PeerMapKey#keyId()})
 * @param payload   the {@link PeerMap} as UTF-8 JSON, base64 (standard alphabet, padded)
 * @param signature Ed25519 signature of the payload's bytes, base64
 */
public record SignedPeerMap(
        @JsonProperty("key_id") String keyId,
        @JsonProperty("payload") String payload,
        @JsonProperty("signature") String signature) {}
