package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One peer in {@link ListPeersResult}. The capitalised members are upstream Nexodus' (Go field names, no JSON tags);
 * the snake_case ones are our extension, which nexctl shows and the NAT-lab tests assert on.
 *
 * @param publicKey       the peer's WireGuard public key (base64)
 * @param endpoint        the UDP endpoint WireGuard sends to ({@code ip:port}; a {@code 127.x.y.z:port} loopback for a
 *                        DERP-relayed peer; {@code ""} when the peer is reached through the WireGuard relay)
 * @param allowedIps      the peer's WireGuard allowed IPs (CIDRs)
 * @param latestHandshake time of the last completed handshake, RFC 3339 UTC ({@code 2026-11-02T10:15:30Z}); {@code ""}
 *                        when there has been none
 * @param tx              bytes sent to the peer
 * @param rx              bytes received from the peer
 * @param healthy         the agent's health verdict (recent handshake / probe answered); also read as {@code healthy}
 * @param hostname        the peer device's hostname
 * @param tunnelIps       the peer's tunnel addresses (IPv4 first), without prefix length
 * @param method          the peering method in use, one of {@link PeeringMethod}
 * @param relay           the relay in use, one of {@link RelayKind}, or {@code null} for a direct path
 * @param relayName       which relay: the WireGuard relay device's hostname, an onboarded DERP relay's host name,
 *                        {@code public:<region>} for the service's public DERP relay; {@code null} for a direct path
 * @param pathNote        how the path came about when the method alone does not say it (ours: {@code "port
 *                        prediction: ..."} on a {@code peer-reflexive} path whose NAT was opened for predicted ports);
 *                        {@code null} otherwise and from agents that do not set it
 */
@JsonPropertyOrder({
    "PublicKey",
    "Endpoint",
    "AllowedIPs",
    "LatestHandshake",
    "Tx",
    "Rx",
    "Healthy",
    "hostname",
    "tunnel_ips",
    "method",
    "relay",
    "relay_name",
    "path_note"
})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record PeerStatus(
        @JsonProperty("PublicKey") String publicKey,
        @JsonProperty("Endpoint") String endpoint,
        @JsonProperty("AllowedIPs") List<String> allowedIps,
        @JsonProperty("LatestHandshake") String latestHandshake,
        @JsonProperty("Tx") long tx,
        @JsonProperty("Rx") long rx,
        @JsonProperty("Healthy") @JsonAlias("healthy") boolean healthy,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("tunnel_ips") List<String> tunnelIps,
        @JsonProperty("method") String method,
        @JsonProperty("relay") String relay,
        @JsonProperty("relay_name") String relayName,
        @JsonProperty("path_note") String pathNote) {

    /** Go's {@code time.Time.String()} layout, accepted from upstream agents. */
    private static final DateTimeFormatter GO_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .optionalEnd()
            .appendPattern(" Z")
            .toFormatter(Locale.ROOT);

    public PeerStatus {
        endpoint = endpoint == null ? "" : endpoint;
        allowedIps = allowedIps == null ? List.of() : List.copyOf(allowedIps);
        latestHandshake = latestHandshake == null ? "" : latestHandshake;
        tunnelIps = tunnelIps == null ? List.of() : List.copyOf(tunnelIps);
    }

    /** The wire form of a handshake time: RFC 3339 UTC, or {@code ""} for none (null or the epoch). */
    public static String formatHandshake(Instant t) {
        return t == null || t.getEpochSecond() <= 0
                ? ""
                : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * The last handshake, if there was one. Accepts RFC 3339 and Go's {@code time.String()} form; Go's zero time
     * ({@code 0001-01-01 ...}), the epoch, {@code ""} and unparseable text mean none.
     */
    public Optional<Instant> latestHandshakeTime() {
        String s = latestHandshake.strip();
        if (s.isEmpty() || s.startsWith("0001-01-01")) {
            return Optional.empty();
        }
        Instant t = null;
        try {
            t = ZonedDateTime.parse(s, DateTimeFormatter.ISO_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            try {
                String go = s.replaceFirst(" [A-Z]{2,5}$", "").replaceFirst(" m=[+-][0-9.]+$", "");
                t = ZonedDateTime.parse(go, GO_TIME.withZone(ZoneOffset.UTC)).toInstant();
            } catch (DateTimeParseException ignored) {
                return Optional.empty();
            }
        }
        return t.getEpochSecond() <= 0 ? Optional.empty() : Optional.of(t);
    }
}
