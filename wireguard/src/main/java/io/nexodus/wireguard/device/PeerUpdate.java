package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePublicKey;
import io.nexodus.wireguard.bind.Endpoint;
import io.nexodus.wireguard.crypto.PresharedKey;
import java.util.List;
import java.util.Objects;

/**
 * One peer section of a configuration change, with UAPI {@code set} semantics (null = leave unchanged).
 *
 * @param publicKey selects the peer (created unless {@code updateOnly})
 * @param remove remove the peer; the other fields are ignored
 * @param updateOnly only change an existing peer, never create one
 * @param presharedKey new preshared key; all zeros removes it
 * @param endpoint new endpoint
 * @param persistentKeepalive new interval in seconds (0 = off)
 * @param replaceAllowedIps clear the peer's allowed IPs before adding {@code addAllowedIps}
 * @param addAllowedIps prefixes to add (moved away from any other peer)
 * @param removeAllowedIps prefixes to remove from this peer
 */
public record PeerUpdate(
        NodePublicKey publicKey,
        boolean remove,
        boolean updateOnly,
        PresharedKey presharedKey,
        Endpoint endpoint,
        Integer persistentKeepalive,
        boolean replaceAllowedIps,
        List<IpPrefix> addAllowedIps,
        List<IpPrefix> removeAllowedIps) {
    public PeerUpdate {
        Objects.requireNonNull(publicKey, "publicKey");
        addAllowedIps = List.copyOf(addAllowedIps);
        removeAllowedIps = List.copyOf(removeAllowedIps);
    }

    public static PeerUpdate removal(NodePublicKey publicKey) {
        return new PeerUpdate(publicKey, true, false, null, null, null, false, List.of(), List.of());
    }
}
