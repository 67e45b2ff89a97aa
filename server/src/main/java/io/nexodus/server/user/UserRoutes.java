package io.nexodus.server.user;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.User;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.organization.OrganizationRoutes;
import io.nexodus.server.organization.Organizations;
import java.util.List;
import java.util.UUID;

/** {@code /api/users}: the caller's own user ({@code me}), its deletion, and leaving organizations. */
public final class UserRoutes {
    private final Database db;
    private final Ipam ipam;

    public UserRoutes(Database db, Ipam ipam) {
        this.db = db;
        this.ipam = ipam;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/users")
                        .tag("Users")
                        .summary("The caller's user (a list of one)")
                        .listParams()
                        .returns(new TypeReference<List<User>>() {}.getType())
                        .handler(this::list),
                Route.get("/api/users/{id}")
                        .tag("Users")
                        .summary("A user: 'me' or the caller's own id")
                        .returns(User.class)
                        .errors(400, 404)
                        .handler(this::get),
                Route.delete("/api/users/{id}")
                        .tag("Users")
                        .summary("Delete the caller's user (no devices may be left)")
                        .returns(User.class)
                        .errors(400, 404)
                        .handler(this::delete),
                Route.delete("/api/users/{id}/organizations/{organization}")
                        .tag("Users")
                        .status(204)
                        .summary("Leave an organization (self) or remove a member (an owner of it)")
                        .errors(400, 403, 404)
                        .handler(this::leave));
    }

    private UUID idOrMe(Call c) {
        return "me".equals(c.path("id")) ? c.principal().ownerId() : c.pathId("id");
    }

    private Object list(Call c) {
        UUID me = c.principal().ownerId();
        return ListReply.of(db.read(tx -> Users.find(tx, me).map(List::of).orElse(List.of())), null);
    }

    private Object get(Call c) {
        UUID id = idOrMe(c);
        if (!id.equals(c.principal().ownerId())) {
            throw ApiError.notFound("user");
        }
        return db.read(tx -> Users.find(tx, id).orElseThrow(() -> ApiError.notFound("user")));
    }

    private Object delete(Call c) {
        UUID id = idOrMe(c);
        if (!id.equals(c.principal().ownerId())) {
            throw ApiError.notFound("user");
        }
        return db.write(tx -> {
            User u = Users.find(tx, id).orElseThrow(() -> ApiError.notFound("user"));
            tx.lockRevisions();
            if (tx.exists("SELECT 1 FROM devices WHERE owner_id = ? AND deleted_at IS NULL", id)) {
                throw ApiError.notAllowed("delete the user's devices first");
            }
            for (UUID org : tx.query(
                    "SELECT organization_id FROM user_organizations WHERE user_id = ?",
                    rs -> Cols.uuid(rs, "organization_id"),
                    id)) {
                if (Memberships.isOwner(tx, id, org) && Memberships.ownerCount(tx, org) <= 1) {
                    Organizations.delete(tx, ipam, org);
                } else {
                    Organizations.removeMember(tx, ipam, org, id);
                }
            }
            tx.update(
                    "UPDATE reg_keys SET deleted_at = ?, token_hash = NULL WHERE owner_id = ? AND deleted_at IS NULL",
                    tx.now(),
                    id);
            tx.update(
                    "UPDATE invitations SET deleted_at = ? WHERE (user_id = ? OR from_id = ?) AND deleted_at IS NULL",
                    tx.now(),
                    id,
                    id);
            tx.update("DELETE FROM user_identities WHERE user_id = ?", id);
            tx.update("UPDATE users SET idp_id = NULL, deleted_at = ? WHERE id = ?", tx.now(), id);
            return u;
        });
    }

    private Object leave(Call c) {
        UUID id = idOrMe(c);
        UUID org = c.pathId("organization");
        UUID me = c.principal().ownerId();
        db.write(tx -> {
            if (Organizations.find(tx, org).isEmpty()) {
                throw ApiError.notFound("organization");
            }
            if (!id.equals(me)) {
                Memberships.requireOwner(tx, me, org, "organization");
            } else {
                Memberships.requireMember(tx, me, org, "organization");
            }
            if (!Memberships.isMember(tx, id, org)) {
                throw ApiError.notFound("user");
            }
            OrganizationRoutes.leave(tx, ipam, org, id);
            return null;
        });
        return Reply.noContent();
    }
}
