package io.nexodus.server.regkey;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.RegKey;
import io.nexodus.api.model.UpdateRegKey;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Route;
import java.util.List;

/**
 * {@code /api/reg-keys}: HTTP in and out; the rules are in {@link RegKeys}. {@code GET /api/reg-keys/me} answers an
 * {@code RK:} token with its own key.
 */
public final class RegKeyRoutes {
    private final RegKeys keys;

    public RegKeyRoutes(RegKeys keys) {
        this.keys = keys;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/reg-keys")
                        .tag("Registration Keys")
                        .summary("List registration keys the caller created or whose organization it owns")
                        .listParams()
                        .returns(new TypeReference<List<RegKey>>() {}.getType())
                        .handler(c -> ListReply.of(keys.list(c.principal()), null)),
                Route.post("/api/reg-keys")
                        .tag("Registration Keys")
                        .status(201)
                        .summary("Create a registration key (the only response with its RK: token)")
                        .body(AddRegKey.class)
                        .returns(RegKey.class)
                        .errors(400, 404)
                        .handler(c -> keys.create(c.principal(), c.body(AddRegKey.class))),
                Route.get("/api/reg-keys/{id}")
                        .idOrMe()
                        .tag("Registration Keys")
                        .access(Access.AUTHENTICATED)
                        .summary("Get a registration key; 'me' with an RK: token returns that key")
                        .returns(RegKey.class)
                        .errors(400, 404)
                        .handler(c -> "me".equals(c.path("id"))
                                ? keys.own(c.principal())
                                : keys.get(c.principal(), c.pathId("id"))),
                Route.patch("/api/reg-keys/{id}")
                        .tag("Registration Keys")
                        .summary("Update a registration key")
                        .body(UpdateRegKey.class)
                        .returns(RegKey.class)
                        .errors(400, 403, 404)
                        .handler(c -> keys.update(c.principal(), c.pathId("id"), c.body(UpdateRegKey.class))),
                Route.delete("/api/reg-keys/{id}")
                        .tag("Registration Keys")
                        .summary("Delete a registration key")
                        .returns(RegKey.class)
                        .errors(400, 403, 404)
                        .handler(c -> keys.delete(c.principal(), c.pathId("id"))));
    }
}
