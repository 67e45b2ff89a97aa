package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.wireguard.bind.Endpoint;
import io.nexodus.wireguard.crypto.PresharedKey;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The desired configuration of one peer, for {@link Device#setPeer} and {@link Device#replacePeers}.
 *
 * @param publicKey the peer's public key (identifies it)
 * @param presharedKey the preshared key, or null for none
 * @param endpoint where to send, or null to keep the current one (a peer without one waits to be contacted)
 * @param allowedIps the peer's allowed IPs; they replace the previous list (and move away from other peers)
 * @param persistentKeepaliveSeconds 0 = off, else send a keepalive this often (1..65535)
 */
public record PeerConfig(
        NodePublicKey publicKey,
        PresharedKey presharedKey,
        Endpoint endpoint,
        List<IpPrefix> allowedIps,
        int persistentKeepaliveSeconds) {
    public PeerConfig {
        Objects.requireNonNull(publicKey, "publicKey");
        allowedIps = List.copyOf(allowedIps);
        if (persistentKeepaliveSeconds < 0 || persistentKeepaliveSeconds > 65535) {
            throw new IllegalArgumentException("persistent keepalive must be 0..65535 seconds");
        }
    }

    public static PeerConfig of(NodePublicKey publicKey, Endpoint endpoint, String... allowedIps) {
        return new PeerConfig(
                publicKey,
                null,
                endpoint,
                Arrays.stream(allowedIps).map(IpPrefix::parse).toList(),
                0);
    }

    /** The same change as a UAPI {@code set} peer section with {@code replace_allowed_ips=true}. */
    PeerUpdate toUpdate() {
        return new PeerUpdate(
                publicKey,
                false,
                false,
                presharedKey == null ? PresharedKey.none() : presharedKey,
                endpoint,
                persistentKeepaliveSeconds,
                true,
                allowedIps,
                List.of());
    }
}
