package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** One exit-node origin a client could use; {@code NexdCtl.ListExitNodes} returns a JSON array of these. */
@JsonPropertyOrder({"PublicKey", "Endpoint", "AllowedIPs"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ExitNode(
        @JsonProperty("PublicKey") String publicKey,
        @JsonProperty("Endpoint") String endpoint,
        @JsonProperty("AllowedIPs") List<String> allowedIps) {

    public ExitNode {
        endpoint = endpoint == null ? "" : endpoint;
        allowedIps = allowedIps == null ? List.of() : List.copyOf(allowedIps);
    }
}
