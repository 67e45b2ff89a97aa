package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One region of the {@link RelayMap} (a DERP map region). Each public relay is a region with one node.
 *
 * @param regionId   900 for the service's built-in relay, 902–999 for relays added by an administrator
 * @param regionCode short unique code, e.g. {@code web} (the built-in one, as upstream) or {@code eu-west}
 * @param regionName human-readable name
 * @param builtIn    true for the relay the service itself runs (it cannot be deleted through the API)
 * @param nodes      the relay servers of the region (one here)
 */
public record RelayRegion(
        @JsonProperty("region_id") int regionId,
        @JsonProperty("region_code") String regionCode,
        @JsonProperty("region_name") String regionName,
        @JsonProperty("built_in") boolean builtIn,
        @JsonProperty("nodes") List<RelayNode> nodes) {
    public RelayRegion {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }
}
