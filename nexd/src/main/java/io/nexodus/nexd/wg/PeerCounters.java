package io.nexodus.nexd.wg;

import java.time.Instant;
import java.util.List;

/**
 * What the device reports for one peer entry (as {@code wg show}).
 *
 * @param publicKey     base64
 * @param endpoint      {@code ip:port} the entry sends to now (configured or learned), or empty
 * @param lastHandshake null if none
 * @param rxBytes       received
 * @param txBytes       sent
 * @param allowedIps    the entry's allowed IPs
 */
public record PeerCounters(
        String publicKey, String endpoint, Instant lastHandshake, long rxBytes, long txBytes, List<String> allowedIps) {
    public PeerCounters {
        endpoint = endpoint == null ? "" : endpoint;
        allowedIps = List.copyOf(allowedIps);
    }
}
