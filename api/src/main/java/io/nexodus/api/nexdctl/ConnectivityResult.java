package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of {@code NexdCtl.ConnectivityV4}/{@code ConnectivityV6} (a JSON string):
 * {@code {"relay-present":bool,"relay-required":bool,"peers":{"<tunnel ip>":PeerReachability}}}.
 */
@JsonPropertyOrder({"relay-present", "relay-required", "peers"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ConnectivityResult(
        @JsonProperty("relay-present") boolean relayPresent,
        @JsonProperty("relay-required") boolean relayRequired,
        @JsonProperty("peers") Map<String, PeerReachability> peers) {

    public ConnectivityResult {
        peers = peers == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(peers));
    }
}
