package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Body of {@code PUT /api/devices/{id}/connectivity}: how the reporting device reaches each of its peers right now,
 * and its own NAT type. Only the device itself reports (with its device token); a report replaces the previous one.
 *
 * @param natType what STUN told the device about its NAT: {@link #NAT_NONE}, {@link #NAT_CONE},
 *                {@link #NAT_SYMMETRIC} or {@link #NAT_UNKNOWN} (a newer agent may send another lower-case word)
 * @param peers   one entry per peer the agent has, at most {@link #MAX_PEERS}, each peer once
 */
public record ConnectivityReport(
        @Limits(
                minLength = 1,
                maxLength = 32,
                note = "none | cone | symmetric | unknown (lower-case letters, digits, -)")
        @JsonProperty("nat_type")
        String natType,

        @Limits(maxItems = MAX_PEERS) @JsonProperty("peers") List<PeerConnectivity> peers) {

    /** The most peers one report may carry. */
    public static final int MAX_PEERS = 1000;

    /** The device's reflexive address is one of its own: no NAT in front of it. */
    public static final String NAT_NONE = "none";
    /** Every STUN server saw the same mapping: peers can reach the reflexive address. */
    public static final String NAT_CONE = "cone";
    /** STUN servers saw different mappings (a new one per destination): peers cannot use the reflexive address. */
    public static final String NAT_SYMMETRIC = "symmetric";
    /** No STUN server answered. */
    public static final String NAT_UNKNOWN = "unknown";

    public ConnectivityReport {
        peers = peers == null ? List.of() : peers;
    }
}
