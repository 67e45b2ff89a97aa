package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/**
 * One peer in a {@link ConnectivityReport}, as the reporting agent sees it.
 *
 * @param deviceId            the peer device
 * @param method              the peering method in use ({@code io.nexodus.api.nexdctl.PeeringMethod}), null when none
 *                            applies (no path)
 * @param relay               the relay carrying the traffic ({@code io.nexodus.api.nexdctl.RelayKind}), null when
 *                            direct
 * @param healthy             the agent's verdict on the path (recent handshake, peer heard from)
 * @param handshakeAgeSeconds seconds since the last completed handshake when the report was made, null when none (an
 *                            age rather than a time, so the two clocks need not agree)
 * @param rxBytes             bytes received from the peer
 * @param txBytes             bytes sent to the peer
 */
public record PeerConnectivity(
        @JsonProperty("device_id") UUID deviceId,
        @Limits(maxLength = 32) @JsonProperty("method") String method,
        @Limits(maxLength = 32) @JsonProperty("relay") String relay,
        @JsonProperty("healthy") boolean healthy,

        @Limits(min = 0, max = 3_153_600_000L) @JsonProperty("handshake_age_seconds")
        Long handshakeAgeSeconds,

        @Limits(min = 0) @JsonProperty("rx_bytes") long rxBytes,
        @Limits(min = 0) @JsonProperty("tx_bytes") long txBytes) {}
