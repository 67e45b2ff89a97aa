package io.nexodus.nexd.wg;

import io.nexodus.nexd.endpoint.Addresses;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The desired WireGuard entry for one peer key.
 *
 * @param publicKey                  base64
 * @param endpoint                   where to send; empty = keep whatever the entry has (learned from the peer's packets)
 * @param allowedIps                 CIDRs routed to the peer (replace the entry's list)
 * @param persistentKeepaliveSeconds 0 = off
 */
public record PeerEntry(
        String publicKey,
        Optional<InetSocketAddress> endpoint,
        List<String> allowedIps,
        int persistentKeepaliveSeconds) {
    public PeerEntry {
        Objects.requireNonNull(publicKey);
        Objects.requireNonNull(endpoint);
        allowedIps = List.copyOf(allowedIps);
    }

    @Override
    public String toString() {
        return publicKey.substring(0, Math.min(8, publicKey.length())) + " endpoint="
                + endpoint.map(Addresses::format).orElse("-") + " allowed=" + allowedIps + " keepalive="
                + persistentKeepaliveSeconds;
    }
}
