package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The value of a relay device's metadata key {@code relay} ({@code PUT /api/devices/{id}/metadata/relay}), written by
 * {@code nexd relay} ({@code {"type":"wireguard"}}) and {@code nexd relayderp --onboard}
 * ({@code {"type":"derp","hostname":...,"certmodemanual":...}}). Agents read it to find the VPC's onboarded relay.
 *
 * @param type           {@link #DERP} or {@link #WIREGUARD}
 * @param hostname       DERP only: the relay's certificate name; agents connect to {@code https://hostname/derp}
 *                       (port 443)
 * @param certModeManual DERP only: the name is private (not in public DNS) and the certificate is the user's own:
 *                       agents pin the name to the relay device's reflexive IP and verify TLS against the user's CA
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RelayMetadata(
        @JsonProperty("type") String type,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("certmodemanual") Boolean certModeManual) {
    public static final String KEY = "relay";
    public static final String DERP = "derp";
    public static final String WIREGUARD = "wireguard";

    public static RelayMetadata derp(String hostname, boolean certModeManual) {
        return new RelayMetadata(DERP, hostname, certModeManual);
    }

    public static RelayMetadata wireguard() {
        return new RelayMetadata(WIREGUARD, null, null);
    }
}
