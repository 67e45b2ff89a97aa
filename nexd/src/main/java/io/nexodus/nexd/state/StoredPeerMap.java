package io.nexodus.nexd.state;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.SignedPeerMap;
import java.time.Instant;

/**
 * {@code <state-dir>/peer-map.json}: the last peer map the service signed for this device, as received, and the
 * service's key that signed it (learned from the service after registering).
 *
 * @param key      the service's peer-map key
 * @param map      the signed map, byte for byte as the service sent it
 * @param storedAt when nexd stored it (the age check uses the map's own signed {@code issued_at})
 */
public record StoredPeerMap(
        @JsonProperty("service-key") PeerMapKey key,
        @JsonProperty("signed-map") SignedPeerMap map,
        @JsonProperty("stored-at") Instant storedAt) {}
