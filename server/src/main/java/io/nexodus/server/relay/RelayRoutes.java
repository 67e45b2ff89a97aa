package io.nexodus.server.relay;

import io.nexodus.api.model.AddRelay;
import io.nexodus.api.model.RelayMap;
import io.nexodus.api.model.RelayRegion;
import io.nexodus.api.model.ValidationError;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.Route;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code /api/relays}: the public DERP relays agents may use, as a DERP-map-like {@link RelayMap} (any authenticated
 * caller, devices included); administrators add and remove relays. HTTP in and out; the rules are in {@link Relays}.
 */
public final class RelayRoutes {
    private final Relays relays;
    private final BooleanSupplier started;

    /**
     * @param started whether the service's own relay runs: before that (the API listens a moment earlier) the list
     *     would miss it, and an agent would take "no public relay" for an answer
     */
    public RelayRoutes(Relays relays, BooleanSupplier started) {
        this.relays = relays;
        this.started = started;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/relays")
                        .tag("Relays")
                        .access(Access.AUTHENTICATED)
                        .summary(
                                "The public DERP relays (a DERP map: region 900 is the service's own relay, 902-999 added by administrators)")
                        .returns(RelayMap.class)
                        .errors(503)
                        .handler(c -> {
                            if (!started.getAsBoolean()) {
                                throw ApiError.unavailable("the service is starting: its relays are not up yet");
                            }
                            return relays.map();
                        }),
                Route.post("/api/relays")
                        .tag("Relays")
                        .access(Access.ADMIN)
                        .status(201)
                        .summary("Add a public DERP relay (administrators)")
                        .body(AddRelay.class)
                        .returns(RelayRegion.class)
                        .errors(400, 403, 409)
                        .handler(c -> relays.add(c.body(AddRelay.class))),
                Route.delete("/api/relays/{region_id}")
                        .tag("Relays")
                        .access(Access.ADMIN)
                        .summary(
                                "Remove an added public DERP relay (administrators; the built-in region 900 cannot be removed)")
                        .returns(RelayRegion.class)
                        .errors(400, 403, 404)
                        .handler(c -> relays.remove(regionId(c))));
    }

    private static int regionId(Call c) {
        try {
            return Integer.parseInt(c.path("region_id"));
        } catch (NumberFormatException e) {
            throw new ApiError(400, new ValidationError("path parameter invalid", "region_id", "not a number"));
        }
    }
}
