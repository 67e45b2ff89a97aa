package io.nexodus.server.connectivity;

import io.nexodus.api.model.ConnectivityReport;
import io.nexodus.api.model.VpcConnectivity;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import java.util.List;

/** {@code /api/devices/{id}/connectivity} and {@code /api/vpcs/{id}/connectivity}; the rules are in {@link Connectivity}. */
public final class ConnectivityRoutes {
    private final Connectivity connectivity;

    public ConnectivityRoutes(Connectivity connectivity) {
        this.connectivity = connectivity;
    }

    public List<Route> routes() {
        return List.of(
                Route.put("/api/devices/{id}/connectivity")
                        .unaudited()
                        .tag("Devices")
                        .access(Access.AUTHENTICATED)
                        .status(204)
                        .summary("Report how this device reaches its peers and its NAT type (the device's own token"
                                + " only; replaces the previous report; at most "
                                + ConnectivityReport.MAX_PEERS
                                + " peers, each once; stale after "
                                + Connectivity.STALE_AFTER.toSeconds() + " s, gone after "
                                + Connectivity.EXPIRE_AFTER.toMinutes() + " min)")
                        .body(ConnectivityReport.class)
                        .errors(400, 403, 404)
                        .handler(c -> {
                            connectivity.report(c.principal(), c.pathId("id"), c.body(ConnectivityReport.class));
                            return Reply.noContent();
                        }),
                Route.get("/api/vpcs/{id}/connectivity")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("Who reaches whom in the VPC and how, from the agents' reports, with a census of the"
                                + " pairs (direct, relayed, DERP, stale) and the NAT types seen")
                        .returns(VpcConnectivity.class)
                        .errors(400, 403, 404)
                        .handler(c -> connectivity.view(c.principal(), c.pathId("id"))));
    }
}
