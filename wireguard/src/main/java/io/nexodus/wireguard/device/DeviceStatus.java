package io.nexodus.wireguard.device;

import io.nexodus.core.key.NodePrivateKey;
import java.util.List;

/**
 * A snapshot of the whole device, as UAPI {@code get} reports it.
 *
 * @param privateKey the private key, or null if none is set
 * @param listenPort the UDP port actually bound (0 if not bound)
 * @param fwmark the firewall mark (0 = none)
 * @param peers every peer
 */
public record DeviceStatus(NodePrivateKey privateKey, int listenPort, int fwmark, List<PeerStats> peers) {}
