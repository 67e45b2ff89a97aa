package io.nexodus.server.organization;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.Organization;
import io.nexodus.api.model.Roles;
import io.nexodus.api.model.UserOrganization;
import io.nexodus.server.FeatureFlags;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Reply;
import io.nexodus.server.http.Route;
import io.nexodus.server.ipam.Ipam;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** {@code /api/organizations}: read by members, created by anyone (flag multi-organization), changed by owners. */
public final class OrganizationRoutes {
    private static final String MEMBER_COLS =
            "uo.user_id, uo.organization_id, uo.roles, u.id, u.username, u.full_name, u.picture";

    private final Database db;
    private final Ipam ipam;
    private final FeatureFlags flags;

    public OrganizationRoutes(Database db, Ipam ipam, FeatureFlags flags) {
        this.db = db;
        this.ipam = ipam;
        this.flags = flags;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/organizations")
                        .tag("Organizations")
                        .summary("Organizations the caller belongs to")
                        .listParams()
                        .returns(new TypeReference<List<Organization>>() {}.getType())
                        .handler(this::list),
                Route.post("/api/organizations")
                        .tag("Organizations")
                        .status(201)
                        .summary("Create an organization (caller becomes owner)")
                        .body(AddOrganization.class)
                        .returns(Organization.class)
                        .errors(400, 405, 409)
                        .handler(this::create),
                Route.get("/api/organizations/{id}")
                        .tag("Organizations")
                        .summary("Get an organization (member)")
                        .returns(Organization.class)
                        .errors(400, 404)
                        .handler(this::get),
                Route.delete("/api/organizations/{id}")
                        .tag("Organizations")
                        .summary("Delete an organization (owner; not a default one; no devices)")
                        .returns(Organization.class)
                        .errors(400, 403, 404)
                        .handler(this::delete),
                Route.get("/api/organizations/{id}/users")
                        .tag("Organizations")
                        .summary("Members and their roles (member)")
                        .listParams()
                        .returns(new TypeReference<List<UserOrganization>>() {}.getType())
                        .errors(400, 404)
                        .handler(this::members),
                Route.get("/api/organizations/{id}/users/{uid}")
                        .tag("Organizations")
                        .summary("One member (member)")
                        .returns(UserOrganization.class)
                        .errors(400, 404)
                        .handler(this::member),
                Route.delete("/api/organizations/{id}/users/{uid}")
                        .tag("Organizations")
                        .status(204)
                        .summary("Remove a member with its devices and keys in the organization (owner)")
                        .errors(400, 403, 404, 405)
                        .handler(this::removeMember));
    }

    static UserOrganization mapMember(ResultSet rs) throws SQLException {
        return new UserOrganization(
                rs.getObject(1, UUID.class),
                rs.getObject(2, UUID.class),
                JsonText.strings(rs.getString(3)),
                new io.nexodus.api.model.User(
                        rs.getObject(4, UUID.class), rs.getString(5), rs.getString(6), rs.getString(7)));
    }

    private Object list(Call c) {
        UUID user = c.principal().ownerId();
        return ListReply.of(
                db.read(tx -> tx.query(
                        "SELECT " + Organizations.COLS + " FROM organizations WHERE deleted_at IS NULL AND id IN ("
                                + Memberships.MEMBER_ORGS + ") ORDER BY name",
                        Organizations::map,
                        user)),
                null);
    }

    private Organization readable(Tx tx, UUID user, UUID id) throws SQLException {
        Organization o = Organizations.find(tx, id).orElseThrow(() -> ApiError.notFound("organization"));
        Memberships.requireMember(tx, user, id, "organization");
        return o;
    }

    private Object get(Call c) {
        UUID id = c.pathId("id");
        return db.read(tx -> readable(tx, c.principal().ownerId(), id));
    }

    private Object create(Call c) {
        flags.require(FeatureFlags.MULTI_ORGANIZATION);
        AddOrganization in = c.body(AddOrganization.class);
        if (in.name() == null || in.name().isBlank()) {
            throw ApiError.missing("name");
        }
        if (in.name().length() > 255) {
            throw ApiError.invalid("name", "at most 255 characters");
        }
        UUID user = c.principal().ownerId();
        return db.write(tx -> {
            Optional<UUID> existing = tx.queryOne(
                    "SELECT id FROM organizations WHERE name = ?",
                    rs -> Cols.uuid(rs, "id"),
                    in.name().strip());
            if (existing.isPresent()) {
                throw ApiError.conflict(existing.get());
            }
            UUID id = UUID.randomUUID();
            tx.update(
                    "INSERT INTO organizations (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                    id,
                    in.name().strip(),
                    in.description() == null ? "" : in.description(),
                    tx.now(),
                    tx.now());
            Memberships.add(tx, user, id, List.of(Roles.OWNER));
            return new Organization(id, in.name().strip(), in.description() == null ? "" : in.description());
        });
    }

    private Object delete(Call c) {
        UUID id = c.pathId("id");
        UUID user = c.principal().ownerId();
        return db.write(tx -> {
            Organization o = Organizations.find(tx, id).orElseThrow(() -> ApiError.notFound("organization"));
            Memberships.requireOwner(tx, user, id, "organization");
            if (Organizations.isDefault(tx, id)) {
                throw ApiError.notAllowed("a user's default organization cannot be deleted");
            }
            Organizations.delete(tx, ipam, id);
            return o;
        });
    }

    private Object members(Call c) {
        UUID id = c.pathId("id");
        UUID user = c.principal().ownerId();
        return ListReply.of(
                db.read(tx -> {
                    readable(tx, user, id);
                    return tx.query(
                            "SELECT " + MEMBER_COLS + " FROM user_organizations uo JOIN users u ON u.id = uo.user_id "
                                    + "WHERE uo.organization_id = ? AND u.deleted_at IS NULL ORDER BY u.full_name, u.username",
                            OrganizationRoutes::mapMember,
                            id);
                }),
                null);
    }

    private Object member(Call c) {
        UUID id = c.pathId("id");
        UUID uid = c.pathId("uid");
        UUID user = c.principal().ownerId();
        return db.read(tx -> {
            readable(tx, user, id);
            return tx.queryOne(
                            "SELECT " + MEMBER_COLS + " FROM user_organizations uo JOIN users u ON u.id = uo.user_id "
                                    + "WHERE uo.organization_id = ? AND uo.user_id = ? AND u.deleted_at IS NULL",
                            OrganizationRoutes::mapMember,
                            id,
                            uid)
                    .orElseThrow(() -> ApiError.notFound("user"));
        });
    }

    private Object removeMember(Call c) {
        flags.require(FeatureFlags.MULTI_ORGANIZATION);
        UUID id = c.pathId("id");
        UUID uid = c.pathId("uid");
        UUID user = c.principal().ownerId();
        db.write(tx -> {
            if (Organizations.find(tx, id).isEmpty()) {
                throw ApiError.notFound("organization");
            }
            Memberships.requireOwner(tx, user, id, "organization");
            if (uid.equals(user)) {
                throw ApiError.notAllowed(
                        "owners cannot remove themselves; leave with DELETE /api/users/{id}/organizations/{organization}");
            }
            if (!Memberships.isMember(tx, uid, id)) {
                throw ApiError.notFound("user");
            }
            Organizations.removeMember(tx, ipam, id, uid);
            return null;
        });
        return Reply.noContent();
    }

    /** Used by user routes: the caller leaves, or an owner removes someone; the last owner cannot go. */
    public static void leave(Tx tx, Ipam ipam, UUID orgId, UUID userId) throws SQLException {
        if (Memberships.isOwner(tx, userId, orgId) && Memberships.ownerCount(tx, orgId) <= 1) {
            throw ApiError.notAllowed("the last owner cannot leave the organization");
        }
        Organizations.removeMember(tx, ipam, orgId, userId);
    }
}
