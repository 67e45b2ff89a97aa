package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One exit-node origin a client could use; {@code NexdCtl.ListExitNodes} returns a JSON array of these. Upstream's
 * fields, plus {@code Hostname} and {@code InUse} (ours: the name to give {@code exit-node enable}, and whether this
 * device routes through it).
 */
@JsonPropertyOrder({"PublicKey", "Endpoint", "AllowedIPs", "Hostname", "InUse"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ExitNode(
        @JsonProperty("PublicKey") String publicKey,
        @JsonProperty("Endpoint") String endpoint,
        @JsonProperty("AllowedIPs") List<String> allowedIps,
        @JsonProperty("Hostname") String hostname,
        @JsonProperty("InUse") boolean inUse) {

    @JsonCreator
    public ExitNode {
        endpoint = endpoint == null ? "" : endpoint;
        allowedIps = allowedIps == null ? List.of() : List.copyOf(allowedIps);
        hostname = hostname == null ? "" : hostname;
    }

    /** Upstream's three fields. */
    public ExitNode(String publicKey, String endpoint, List<String> allowedIps) {
        this(publicKey, endpoint, allowedIps, "", false);
    }
}
