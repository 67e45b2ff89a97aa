package io.nexodus.nexd.peering;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Picks the relays from the VPC's devices and the service's public DERP relay, as the DERP seed says:
 * <ul>
 *   <li>the VPC's WireGuard relay (upstream allows one; should there be several anyway — a race between two
 *       {@code nexd relay} starts — every agent picks the same one, lowest device id, so the mesh stays consistent);
 *       {@link PeeringPolicy} offers it before any DERP relay, so it takes precedence while it works;</li>
 *   <li>the DERP relay: one of the VPC's onboarded ones ({@code nexd relayderp --onboard}; which one is the
 *       {@code chooser}'s business, {@link DerpRelayHealth#choose}: healthy, by measured latency) while any is healthy,
 *       else the service's public relay. Removing the onboarded relays (or all failing) falls back to the public
 *       one.</li>
 * </ul>
 */
public final class RelaySelector {
    /** DERP relays are served on 443 ({@code nexd relayderp --addr :443}, what upstream agents dial). */
    public static final int ONBOARDED_DERP_PORT = 443;

    private RelaySelector() {}

    /** A chooser that takes the first onboarded relay (lowest device id) as if every one were healthy (tests). */
    public static final Function<List<DerpRelay>, Optional<DerpRelay>> FIRST =
            l -> l.stream().findFirst();

    /** Without DERP relays (tests of the WireGuard relay alone). */
    public static RelayView select(Collection<PeerInfo> peers, String selfPublicKey) {
        return select(peers, selfPublicKey, Optional.empty(), FIRST);
    }

    /**
     * The relays the peers offer, with the service's public DERP relay and the choice among onboarded DERP relays.
     *
     * @param publicDerp the service's public relay, if the service publishes one
     * @param chooser    picks the onboarded relay to use from all of them (ordered by device id), empty when none is
     *                   usable now ({@link DerpRelayHealth#choose})
     */
    public static RelayView select(
            Collection<PeerInfo> peers,
            String selfPublicKey,
            Optional<DerpRelay> publicDerp,
            Function<List<DerpRelay>, Optional<DerpRelay>> chooser) {
        List<PeerInfo> relays = peers.stream()
                .filter(PeerInfo::isWireGuardRelay)
                .filter(p -> !p.publicKey().equals(selfPublicKey))
                .sorted(Comparator.comparing(p -> p.deviceId().toString()))
                .toList();
        Optional<DerpRelay> onboarded = chooser.apply(onboardedRelays(peers));
        return new RelayView(
                relays.isEmpty() ? Optional.empty() : Optional.of(relays.getFirst()), onboarded.or(() -> publicDerp));
    }

    /** The VPC's onboarded DERP relays, by device id. */
    public static List<DerpRelay> onboardedRelays(Collection<PeerInfo> peers) {
        return peers.stream()
                .filter(PeerInfo::isDerpRelay)
                .sorted(Comparator.comparing(p -> p.deviceId().toString()))
                .map(RelaySelector::onboarded)
                .toList();
    }

    /** The DERP relay an onboarded relay device's metadata describes. */
    public static DerpRelay onboarded(PeerInfo device) {
        String host = device.derpHostname().orElseThrow();
        Optional<InetAddress> ip =
                device.reflexiveEndpoint().or(device::localEndpoint).map(InetSocketAddress::getAddress);
        // a private name is dialled at the pinned address directly (TLS still checks the name): a lookup through
        // /etc/hosts can race the rewrite of the managed block for another relay (rewritten in place on a bind mount)
        // and the JDK then caches the miss for 10 s, which would keep this relay's connection down that long
        Optional<InetAddress> pinned = device.derpCertModeManual() ? ip : Optional.empty();
        return new DerpRelay(
                DerpRelay.Kind.ONBOARDED,
                "onboarded:" + device.deviceId(),
                URI.create("https://" + host + ":" + ONBOARDED_DERP_PORT + "/derp"),
                pinned,
                Optional.empty(),
                device.derpCertModeManual(),
                pinned);
    }
}
