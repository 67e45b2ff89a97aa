package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Answer of {@code GET /api/vpcs/{id}/connectivity}: who reaches whom and how, from the agents' own reports.
 *
 * @param vpcId             the VPC
 * @param generatedAt       when the service put this answer together
 * @param staleAfterSeconds a report older than this (or from a device that is offline) is stale
 * @param devices           every device of the VPC, by hostname, with its NAT type and last report
 * @param pairs             one entry per reported (reporter, peer) direction; a direction nobody reported is absent
 * @param census            the VPC's pairs counted by how they are connected, and the NAT types seen
 */
public record VpcConnectivity(
        @JsonProperty("vpc_id") UUID vpcId,
        @JsonProperty("generated_at") Instant generatedAt,
        @JsonProperty("stale_after_seconds") long staleAfterSeconds,
        @JsonProperty("devices") List<ConnectivityDevice> devices,
        @JsonProperty("pairs") List<ConnectivityPair> pairs,
        @JsonProperty("census") ConnectivityCensus census) {

    /** How a pair's traffic travels. */
    public static final String PATH_DIRECT = "direct";

    public static final String PATH_RELAYED = "relayed";
    public static final String PATH_DERP = "derp";
    /** The agent has no path to the peer. */
    public static final String PATH_NONE = "none";

    /**
     * One device of the VPC.
     *
     * @param natType    from its last report, null when it has not reported
     * @param reportedAt when its last report arrived, null when none did
     * @param stale      no report, an old one, or the device is offline
     */
    public record ConnectivityDevice(
            @JsonProperty("device_id") UUID deviceId,
            @JsonProperty("hostname") String hostname,
            @JsonProperty("online") boolean online,
            @JsonProperty("nat_type") String natType,
            @JsonProperty("reported_at") Instant reportedAt,
            @JsonProperty("stale") boolean stale) {}

    /**
     * How {@code from} reaches {@code to}, as {@code from}'s agent reported it.
     *
     * @param path                {@link #PATH_DIRECT}, {@link #PATH_RELAYED} (the VPC's WireGuard relay),
     *                            {@link #PATH_DERP} (a DERP relay) or {@link #PATH_NONE}
     * @param handshakeAgeSeconds seconds since the last handshake as of {@code generated_at}, null when none
     * @param stale               the report is older than {@code stale_after_seconds} or its device is offline
     */
    public record ConnectivityPair(
            @JsonProperty("from_device_id") UUID fromDeviceId,
            @JsonProperty("to_device_id") UUID toDeviceId,
            @JsonProperty("method") String method,
            @JsonProperty("relay") String relay,
            @JsonProperty("path") String path,
            @JsonProperty("healthy") boolean healthy,
            @JsonProperty("handshake_age_seconds") Long handshakeAgeSeconds,
            @JsonProperty("rx_bytes") long rxBytes,
            @JsonProperty("tx_bytes") long txBytes,
            @JsonProperty("reported_at") Instant reportedAt,
            @JsonProperty("stale") boolean stale) {}

    /**
     * The VPC's unordered device pairs, each counted once: by its fresh reports (the worse side wins: none, then DERP,
     * then relayed, then direct), else as stale (only stale reports) or unreported (none at all).
     *
     * @param natTypes how many devices with a fresh report gave each NAT type
     */
    public record ConnectivityCensus(
            @JsonProperty("pairs") long pairs,
            @JsonProperty("direct") long direct,
            @JsonProperty("relayed") long relayed,
            @JsonProperty("derp") long derp,
            @JsonProperty("no_path") long noPath,
            @JsonProperty("stale") long stale,
            @JsonProperty("unreported") long unreported,
            @JsonProperty("nat_types") Map<String, Long> natTypes) {}
}
