package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Duration;
import java.util.Locale;

/**
 * One peer in {@link ConnectivityResult}: the outcome of probing the peer's tunnel address (upstream's
 * {@code KeepaliveStatus}; {@code Latency} is capitalised there too).
 *
 * @param wgIp        the peer's tunnel address that was probed
 * @param reachable   whether a probe was answered
 * @param hostname    the peer's hostname
 * @param latency     round-trip time as text ({@code "1.23ms"}), {@code "-"} when unreachable
 * @param method      the peering method in use ({@link PeeringMethod})
 */
@JsonPropertyOrder({"wg_ip", "is_reachable", "hostname", "Latency", "method"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record PeerReachability(
        @JsonProperty("wg_ip") String wgIp,
        @JsonProperty("is_reachable") boolean reachable,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("Latency") String latency,
        @JsonProperty("method") String method) {

    /** Formats a round-trip time the way upstream does ({@code 1.23ms}); null = unreachable ({@code "-"}). */
    public static String formatLatency(Duration rtt) {
        if (rtt == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2fms", rtt.toNanos() / 1_000_000.0);
    }
}
