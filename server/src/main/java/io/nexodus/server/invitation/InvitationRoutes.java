package io.nexodus.server.invitation;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.Invitation;
import io.nexodus.api.model.Roles;
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
import io.nexodus.server.organization.Organizations;
import io.nexodus.server.user.Users;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /api/invitations}: an owner invites a user (by id or e-mail) into an organization; the invitee accepts
 * ({@code POST .../accept}, it joins with the invited roles) or either side deletes it. Invitations expire after 7 days.
 */
public final class InvitationRoutes {
    static final Duration VALIDITY = Duration.ofDays(7);
    private static final String COLS = "id, organization_id, user_id, email, from_id, roles, expires_at";

    private final Database db;

    public InvitationRoutes(Database db) {
        this.db = db;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/invitations")
                        .tag("Invitations")
                        .summary("Invitations to the caller and from organizations it owns")
                        .listParams()
                        .returns(new TypeReference<List<Invitation>>() {}.getType())
                        .handler(this::list),
                Route.post("/api/invitations")
                        .tag("Invitations")
                        .status(201)
                        .summary("Invite a user (by user_id or email) into an organization (owner)")
                        .body(AddInvitation.class)
                        .returns(Invitation.class)
                        .errors(400, 403, 404, 409)
                        .handler(this::create),
                Route.get("/api/invitations/{id}")
                        .tag("Invitations")
                        .summary("Get an invitation (invitee or owner)")
                        .returns(Invitation.class)
                        .errors(400, 404)
                        .handler(this::get),
                Route.post("/api/invitations/{id}/accept")
                        .tag("Invitations")
                        .status(204)
                        .summary("Accept an invitation (invitee)")
                        .errors(400, 404)
                        .handler(this::accept),
                Route.delete("/api/invitations/{id}")
                        .tag("Invitations")
                        .status(204)
                        .summary("Delete an invitation (invitee or owner)")
                        .errors(400, 404)
                        .handler(this::delete));
    }

    private record Row(
            UUID id,
            UUID orgId,
            UUID userId,
            String email,
            UUID fromId,
            List<String> roles,
            java.time.Instant expiresAt) {}

    private static Row map(ResultSet rs) throws SQLException {
        return new Row(
                Cols.uuid(rs, "id"),
                Cols.uuid(rs, "organization_id"),
                Cols.uuid(rs, "user_id"),
                rs.getString("email"),
                Cols.uuid(rs, "from_id"),
                JsonText.strings(rs.getString("roles")),
                Cols.instant(rs, "expires_at"));
    }

    private static Invitation present(Tx tx, Row r) throws SQLException {
        return new Invitation(
                r.id(),
                r.userId(),
                r.email(),
                r.orgId(),
                Organizations.find(tx, r.orgId()).orElse(null),
                Users.find(tx, r.fromId()).orElse(null),
                r.roles(),
                r.expiresAt());
    }

    private static boolean isInvitee(Tx tx, Row r, UUID user) throws SQLException {
        if (user.equals(r.userId())) {
            return true;
        }
        return r.email() != null
                && tx.exists(
                        "SELECT 1 FROM user_identities WHERE kind = 'email' AND identity_value = ? AND user_id = ?",
                        r.email(),
                        user);
    }

    private static Row visible(Tx tx, UUID id, UUID user) throws SQLException {
        Row r = tx.queryOne(
                        "SELECT " + COLS + " FROM invitations WHERE id = ? AND deleted_at IS NULL",
                        InvitationRoutes::map,
                        id)
                .orElseThrow(() -> ApiError.notFound("invitation"));
        if (!isInvitee(tx, r, user) && !Memberships.isOwner(tx, user, r.orgId())) {
            throw ApiError.notFound("invitation");
        }
        return r;
    }

    private Object list(Call c) {
        UUID user = c.principal().ownerId();
        return ListReply.of(
                db.read(tx -> {
                    List<Row> rows = tx.query(
                            "SELECT " + COLS
                                    + " FROM invitations WHERE deleted_at IS NULL AND (user_id = ? OR organization_id IN ("
                                    + Memberships.OWNED_ORGS
                                    + ") OR email IN (SELECT identity_value FROM user_identities WHERE kind = 'email' AND user_id = ?)) "
                                    + "ORDER BY created_at",
                            InvitationRoutes::map,
                            user,
                            user,
                            user);
                    List<Invitation> out = new java.util.ArrayList<>();
                    for (Row r : rows) {
                        out.add(present(tx, r));
                    }
                    return out;
                }),
                null);
    }

    private Object get(Call c) {
        UUID id = c.pathId("id");
        UUID user = c.principal().ownerId();
        return db.read(tx -> present(tx, visible(tx, id, user)));
    }

    private Object create(Call c) {
        AddInvitation in = c.body(AddInvitation.class);
        if (in.organizationId() == null) {
            throw ApiError.missing("organization_id");
        }
        boolean byEmail = in.email() != null && !in.email().isBlank();
        if (byEmail == (in.userId() != null)) {
            throw ApiError.invalid("user_id", "give exactly one of user_id and email");
        }
        List<String> roles = in.roles() == null || in.roles().isEmpty()
                ? List.of(Roles.MEMBER)
                : List.copyOf(new java.util.TreeSet<>(in.roles()));
        for (String r : roles) {
            if (!Roles.ALL.contains(r)) {
                throw ApiError.invalid("roles", "unknown role " + r + " (owner, member)");
            }
        }
        String email = byEmail ? in.email().strip().toLowerCase(Locale.ROOT) : null;
        if (byEmail && !email.matches("[^@\\s]+@[^@\\s]+")) {
            throw ApiError.invalid("email", "not an e-mail address");
        }
        UUID from = c.principal().ownerId();
        return db.write(tx -> {
            if (Organizations.find(tx, in.organizationId()).isEmpty()) {
                throw ApiError.notFound("organization");
            }
            Memberships.requireOwner(tx, from, in.organizationId(), "organization");
            UUID target = in.userId();
            if (byEmail) {
                target = tx.queryOne(
                                "SELECT user_id FROM user_identities WHERE kind = 'email' AND identity_value = ?",
                                rs -> Cols.uuid(rs, "user_id"),
                                email)
                        .orElse(null);
            } else if (Users.find(tx, target).isEmpty()) {
                throw ApiError.notFound("user");
            }
            if (target != null && Memberships.isMember(tx, target, in.organizationId())) {
                throw ApiError.notAllowed("the user is already a member");
            }
            Optional<UUID> pending = tx.queryOne(
                    "SELECT id FROM invitations WHERE organization_id = ? AND deleted_at IS NULL AND expires_at > ? AND "
                            + "((user_id IS NOT NULL AND user_id = ?) OR (email IS NOT NULL AND email = ?))",
                    rs -> Cols.uuid(rs, "id"),
                    in.organizationId(),
                    tx.now(),
                    target,
                    email);
            if (pending.isPresent()) {
                throw ApiError.conflict(pending.get());
            }
            UUID id = UUID.randomUUID();
            tx.update(
                    "INSERT INTO invitations (id, organization_id, user_id, email, from_id, roles, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    in.organizationId(),
                    target,
                    email,
                    from,
                    JsonText.write(roles),
                    tx.now().plus(VALIDITY),
                    tx.now());
            return present(
                    tx,
                    new Row(
                            id,
                            in.organizationId(),
                            target,
                            email,
                            from,
                            roles,
                            tx.now().plus(VALIDITY)));
        });
    }

    private Object accept(Call c) {
        UUID id = c.pathId("id");
        UUID user = c.principal().ownerId();
        db.write(tx -> {
            Row r = tx.queryOne(
                            "SELECT " + COLS + " FROM invitations WHERE id = ? AND deleted_at IS NULL",
                            InvitationRoutes::map,
                            id)
                    .orElseThrow(() -> ApiError.notFound("invitation"));
            if (!isInvitee(tx, r, user)) {
                throw ApiError.notFound("invitation");
            }
            if (!r.expiresAt().isAfter(tx.now())) {
                throw ApiError.notAllowed("the invitation has expired");
            }
            Memberships.add(tx, user, r.orgId(), r.roles());
            tx.update("UPDATE invitations SET deleted_at = ? WHERE id = ?", tx.now(), id);
            return null;
        });
        return Reply.noContent();
    }

    private Object delete(Call c) {
        UUID id = c.pathId("id");
        UUID user = c.principal().ownerId();
        db.write(tx -> {
            visible(tx, id, user);
            tx.update("UPDATE invitations SET deleted_at = ? WHERE id = ?", tx.now(), id);
            return null;
        });
        return Reply.noContent();
    }
}
