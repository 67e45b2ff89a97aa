package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of {@code NexdCtl.ListPeers} (carried as a JSON string):
 * {@code {"relay-present":bool,"relay-required":bool,"peers":{"<public key>":PeerStatus}}}.
 *
 * @param relayPresent  a relay (WireGuard hub, onboarded DERP, or the public DERP relay) is available to this agent
 * @param relayRequired this agent needs a relay for some peer (it or a peer is behind symmetric NAT / relay-only)
 * @param peers         every configured peer, keyed by its WireGuard public key
 */
@JsonPropertyOrder({"relay-present", "relay-required", "peers"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ListPeersResult(
        @JsonProperty("relay-present") boolean relayPresent,
        @JsonProperty("relay-required") boolean relayRequired,
        @JsonProperty("peers") Map<String, PeerStatus> peers) {

    public ListPeersResult {
        peers = peers == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(peers));
    }
}
