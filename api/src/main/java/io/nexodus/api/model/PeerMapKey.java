package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Answer of {@code GET /api/peer-map/key}: the public key the service signs peer maps with. Every replica of one
 * service has the same key (it is kept in the database).
 *
 * @param keyId     names the key (a signed map names the key that signed it)
 * @param algorithm {@link #ED25519}
 * @param publicKey the key as X.509 SubjectPublicKeyInfo (DER), base64
 */
public record PeerMapKey(
        @JsonProperty("key_id") String keyId,
        @JsonProperty("algorithm") String algorithm,
        @JsonProperty("public_key") String publicKey) {

    public static final String ED25519 = "Ed25519";
}
