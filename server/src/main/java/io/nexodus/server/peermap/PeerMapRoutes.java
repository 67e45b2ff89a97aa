package io.nexodus.server.peermap;

import io.nexodus.api.model.PeerMapKey;
import io.nexodus.api.model.SignedPeerMap;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.Route;
import java.util.List;

/** {@code /api/devices/{id}/peer-map} and {@code /api/peer-map/key}; the rules are in {@link PeerMaps}. */
public final class PeerMapRoutes {
    private final PeerMaps maps;

    public PeerMapRoutes(PeerMaps maps) {
        this.maps = maps;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/devices/{id}/peer-map")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("This device's peer map, signed with the service's Ed25519 peer-map key (the device's"
                                + " own token only): the VPC, the device, the VPC's other devices, security groups and"
                                + " relay metadata, as base64 JSON in `payload`. The agent keeps it to bring its"
                                + " tunnels up when it restarts while the service is unreachable")
                        .returns(SignedPeerMap.class)
                        .errors(400, 403, 404)
                        .handler(c -> maps.issue(c.principal(), c.pathId("id"))),
                Route.get("/api/peer-map/key")
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .summary("The public key the service signs peer maps with (Ed25519, X.509"
                                + " SubjectPublicKeyInfo in base64); the same on every replica")
                        .returns(PeerMapKey.class)
                        .handler(c -> maps.key()));
    }
}
