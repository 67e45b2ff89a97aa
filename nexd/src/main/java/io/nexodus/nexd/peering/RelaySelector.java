package io.nexodus.nexd.peering;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Picks the relays from the VPC's devices. Upstream allows one relay per VPC; should there be several WireGuard relays
 * anyway (a race between two {@code nexd relay} starts), every agent picks the same one (lowest device id), so the
 * mesh stays consistent.
 */
public final class RelaySelector {
    private RelaySelector() {}

    public static RelayView select(Collection<PeerInfo> peers, String selfPublicKey) {
        List<PeerInfo> relays = peers.stream()
                .filter(PeerInfo::isWireGuardRelay)
                .filter(p -> !p.publicKey().equals(selfPublicKey))
                .sorted(Comparator.comparing(p -> p.deviceId().toString()))
                .toList();
        return new RelayView(relays.isEmpty() ? Optional.empty() : Optional.of(relays.getFirst()));
    }
}
