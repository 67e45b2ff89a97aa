package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePrivateKey;
import java.util.List;

/**
 * A configuration change with UAPI {@code set} semantics (null = leave unchanged). The UAPI server parses
 * {@code set=1} requests into this; {@link Device#configure} applies it.
 *
 * @param privateKey new private key (clamped on use); all zeros removes it
 * @param listenPort new UDP port (0 = any free port)
 * @param fwmark new firewall mark (0 = none)
 * @param replacePeers remove every peer first
 * @param peers peer sections, applied in order
 */
public record DeviceUpdate(
        NodePrivateKey privateKey, Integer listenPort, Integer fwmark, boolean replacePeers, List<PeerUpdate> peers) {
    public DeviceUpdate {
        peers = List.copyOf(peers);
        if (listenPort != null && (listenPort < 0 || listenPort > 65535)) {
            throw new IllegalArgumentException("listen port must be 0..65535");
        }
    }

    public static DeviceUpdate ofPeers(List<PeerUpdate> peers) {
        return new DeviceUpdate(null, null, null, false, peers);
    }
}
