package io.nexodus.server.user;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.User;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import java.util.List;
import java.util.UUID;

/**
 * {@code /api/users}: the caller's own user ({@code me} or its id), its deletion, and leaving organizations. HTTP in
 * and out; the rules are in {@link Users}.
 */
public final class UserRoutes {
    private final Users users;

    public UserRoutes(Users users) {
        this.users = users;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/users")
                        .tag("Users")
                        .summary("The caller's user (a list of one)")
                        .listParams()
                        .returns(new TypeReference<List<User>>() {}.getType())
                        .handler(c -> ListReply.of(users.list(c.principal()), null)),
                Route.get("/api/users/{id}")
                        .idOrMe()
                        .tag("Users")
                        .summary("A user: 'me' or the caller's own id")
                        .returns(User.class)
                        .errors(400, 404)
                        .handler(c -> users.get(c.principal(), idOrMe(c))),
                Route.delete("/api/users/{id}")
                        .idOrMe()
                        .tag("Users")
                        .summary("Delete the caller's user (no devices may be left)")
                        .returns(User.class)
                        .errors(400, 404)
                        .handler(c -> users.delete(c.principal(), idOrMe(c))),
                Route.delete("/api/users/{id}/organizations/{organization}")
                        .idOrMe()
                        .tag("Users")
                        .status(204)
                        .summary("Leave an organization (self) or remove a member (an owner of it)")
                        .errors(400, 403, 404)
                        .handler(c -> {
                            users.leave(c.principal(), idOrMe(c), c.pathId("organization"));
                            return Reply.noContent();
                        }));
    }

    /** The {@code id} path parameter: {@code me} is the caller. */
    private static UUID idOrMe(Call c) {
        return "me".equals(c.path("id")) ? c.principal().ownerId() : c.pathId("id");
    }
}
