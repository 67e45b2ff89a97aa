package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.wireguard.bind.Endpoint;
import io.nexodus.wireguard.crypto.PresharedKey;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one peer: its configuration and counters, as {@code wg show} reports them.
 *
 * @param publicKey the peer's public key
 * @param presharedKey the preshared key, or null for none
 * @param endpoint the current endpoint (configured or learned from the last authenticated packet), or null
 * @param lastHandshake when the last handshake completed, or null if never
 * @param rxBytes bytes received from the peer (authenticated datagrams, handshakes included)
 * @param txBytes bytes sent to the peer (datagrams, handshakes included)
 * @param allowedIps the peer's allowed IPs
 * @param persistentKeepaliveSeconds the persistent keepalive interval (0 = off)
 */
public record PeerStats(
        NodePublicKey publicKey,
        PresharedKey presharedKey,
        Endpoint endpoint,
        Instant lastHandshake,
        long rxBytes,
        long txBytes,
        List<IpPrefix> allowedIps,
        int persistentKeepaliveSeconds) {}
