package io.nexodus.nexd.peering;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Picks the relays from the VPC's devices and the service's public DERP relay, as the DERP seed says:
 * <ul>
 *   <li>the VPC's WireGuard relay (upstream allows one; should there be several anyway — a race between two
 *       {@code nexd relay} starts — every agent picks the same one, lowest device id, so the mesh stays consistent);
 *       {@link PeeringPolicy} offers it before any DERP relay, so it takes precedence while it works;</li>
 *   <li>the DERP relay: an onboarded one ({@code nexd relayderp --onboard}, lowest device id) while it is healthy,
 *       else the service's public relay. Removing the onboarded relay (or it failing) falls back to the public one.</li>
 * </ul>
 */
public final class RelaySelector {
    /** DERP relays are served on 443 ({@code nexd relayderp --addr :443}, what upstream agents dial). */
    public static final int ONBOARDED_DERP_PORT = 443;

    private RelaySelector() {}

    /** Without DERP relays (tests of the WireGuard relay alone). */
    public static RelayView select(Collection<PeerInfo> peers, String selfPublicKey) {
        return select(peers, selfPublicKey, Optional.empty(), r -> true);
    }

    /**
     * The relays the peers offer, with the service's public DERP relay and the health of onboarded DERP relays.
     *
     * @param publicDerp the service's public relay, if the service publishes one
     * @param healthy    whether an onboarded DERP relay is usable now ({@link DerpRelayHealth#healthy})
     */
    public static RelayView select(
            Collection<PeerInfo> peers,
            String selfPublicKey,
            Optional<DerpRelay> publicDerp,
            Predicate<DerpRelay> healthy) {
        List<PeerInfo> relays = peers.stream()
                .filter(PeerInfo::isWireGuardRelay)
                .filter(p -> !p.publicKey().equals(selfPublicKey))
                .sorted(Comparator.comparing(p -> p.deviceId().toString()))
                .toList();
        Optional<DerpRelay> onboarded = peers.stream()
                .filter(PeerInfo::isDerpRelay)
                .sorted(Comparator.comparing(p -> p.deviceId().toString()))
                .map(RelaySelector::onboarded)
                .filter(healthy)
                .findFirst();
        return new RelayView(
                relays.isEmpty() ? Optional.empty() : Optional.of(relays.getFirst()), onboarded.or(() -> publicDerp));
    }

    /** The DERP relay an onboarded relay device's metadata describes. */
    public static DerpRelay onboarded(PeerInfo device) {
        String host = device.derpHostname().orElseThrow();
        Optional<InetAddress> ip =
                device.reflexiveEndpoint().or(device::localEndpoint).map(InetSocketAddress::getAddress);
        return new DerpRelay(
                DerpRelay.Kind.ONBOARDED,
                "onboarded:" + device.deviceId(),
                URI.create("https://" + host + ":" + ONBOARDED_DERP_PORT + "/derp"),
                Optional.empty(),
                Optional.empty(),
                device.derpCertModeManual(),
                device.derpCertModeManual() ? ip : Optional.empty());
    }
}
