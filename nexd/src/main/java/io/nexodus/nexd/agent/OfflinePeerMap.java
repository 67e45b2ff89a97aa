package io.nexodus.nexd.agent;

import io.nexodus.api.client.ApiException;
import io.nexodus.api.client.ApiTransportException;
import io.nexodus.api.crypto.PeerMapException;
import io.nexodus.api.crypto.PeerMapSignature;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.PeerMap;
import io.nexodus.nexd.endpoint.Addresses;
import io.nexodus.nexd.endpoint.NatObservation;
import io.nexodus.nexd.state.StoredPeerMap;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether nexd may start from its stored peer map while the service is unreachable: only when the service is really
 * unreachable (no answer, or a 5xx — a refusal such as 401, 403 or 404 means the service decided, and nexd must not
 * act against it), and the stored map verifies with the service's stored key, was issued to this device's WireGuard
 * key, and is not older than {@code --peer-map-max-age}.
 */
final class OfflinePeerMap {
    private OfflinePeerMap() {}

    /** What start-up does with the stored map. */
    sealed interface Decision {}

    /** Start from this map. */
    record Use(PeerMap map) implements Decision {}

    /** There is a map but it must not be used; {@code reason} is the one log line. */
    record Refuse(String reason) implements Decision {}

    /** Nothing to start from (no map, or starting from one is turned off). */
    record Absent(String reason) implements Decision {}

    /** Whether a failed service call means the service is away (rather than that it refused us). */
    static boolean unreachable(Throwable e) {
        return switch (e) {
            case ApiTransportException t -> true;
            case ApiException a -> a.status() >= 500;
            default -> false;
        };
    }

    static Decision decide(Optional<StoredPeerMap> stored, String ourPublicKey, Duration maxAge, Instant now) {
        if (maxAge.isZero()) {
            return new Absent("starting from a stored peer map is off (--peer-map-max-age 0)");
        }
        if (stored.isEmpty()) {
            return new Absent("no stored peer map (the service signs one once this device has run with it)");
        }
        StoredPeerMap s = stored.get();
        PeerMap map;
        try {
            map = PeerMapSignature.verify(s.map(), s.key());
        } catch (PeerMapException e) {
            return new Refuse("not using the stored peer map: " + e.getMessage());
        }
        if (map.device().publicKey() == null || !map.device().publicKey().equals(ourPublicKey)) {
            return new Refuse("not using the stored peer map: it was issued to another WireGuard key ("
                    + map.device().publicKey() + "), not this device's");
        }
        Duration age = Duration.between(map.issuedAt(), now);
        if (age.compareTo(maxAge) > 0) {
            return new Refuse("not using the stored peer map: it was signed at " + map.issuedAt() + ", " + human(age)
                    + " ago, longer than --peer-map-max-age " + human(maxAge));
        }
        return new Use(map);
    }

    /**
     * What STUN last told the service about us, from our own record in the map: the reflexive endpoint we announced
     * and whether we are behind symmetric NAT. Peering uses it until the service (and its STUN servers) are back.
     */
    static NatObservation natOf(Device self) {
        List<Endpoint> endpoints = self.endpoints() == null ? List.of() : self.endpoints();
        for (Endpoint e : endpoints) {
            if (e.source() != null && e.source().startsWith(Endpoint.SOURCE_STUN_PREFIX) && e.address() != null) {
                Optional<InetSocketAddress> a = Addresses.parseEndpoint(e.address());
                if (a.isPresent()) {
                    return new NatObservation(
                            a,
                            e.source().substring(Endpoint.SOURCE_STUN_PREFIX.length()),
                            self.symmetricNat(),
                            List.of());
                }
            }
        }
        return new NatObservation(Optional.empty(), "", self.symmetricNat(), List.of());
    }

    /** A duration in words for the log. */
    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min";
        }
        return (s / 3600) + " h";
    }
}
