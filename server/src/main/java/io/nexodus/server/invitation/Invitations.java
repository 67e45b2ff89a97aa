package io.nexodus.server.invitation;

import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.Invitation;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.organization.OrganizationStore;
import io.nexodus.server.user.UserStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Invitations: an owner invites a user (by id or e-mail address) into an organization; the invitee accepts (it joins
 * with the invited roles) or either side deletes it. Visible to the invitee (by id or a verified address) and the
 * organization's owners; others get 404. Invitations expire after 7 days.
 */
public final class Invitations {
    static final Duration VALIDITY = Duration.ofDays(7);

    private final Database db;
    private final InvitationStore store;
    private final OrganizationStore organizations;
    private final UserStore users;
    private final Memberships memberships;

    public Invitations(
            Database db,
            InvitationStore store,
            OrganizationStore organizations,
            UserStore users,
            Memberships memberships) {
        this.db = db;
        this.store = store;
        this.organizations = organizations;
        this.users = users;
        this.memberships = memberships;
    }

    /** Invitations to the caller and from organizations it owns. */
    public List<Invitation> list(Principal p) {
        return db.read(tx -> {
            List<Invitation> out = new ArrayList<>();
            for (InvitationStore.Row r : store.listVisibleTo(tx, p.ownerId())) {
                out.add(present(tx, r));
            }
            return out;
        });
    }

    public Invitation get(Principal p, UUID id) {
        return db.read(tx -> present(tx, visible(tx, id, p.ownerId())));
    }

    public Invitation create(Principal p, AddInvitation request) {
        AddInvitation in = InvitationRequests.validate(request);
        UUID from = p.ownerId();
        return db.write(tx -> {
            if (organizations.find(tx, in.organizationId()).isEmpty()) {
                throw ApiError.notFound("organization");
            }
            memberships.requireOwner(tx, from, in.organizationId(), "organization");
            UUID target = in.userId();
            if (in.email() != null) {
                target = users.userIdByIdentity(tx, UserStore.EMAIL, in.email()).orElse(null);
            } else if (users.find(tx, target).isEmpty()) {
                throw ApiError.notFound("user");
            }
            if (target != null && memberships.isMember(tx, target, in.organizationId())) {
                throw ApiError.notAllowed("the user is already a member");
            }
            Optional<UUID> pending = store.pending(tx, in.organizationId(), target, in.email());
            if (pending.isPresent()) {
                throw ApiError.conflict(pending.get());
            }
            InvitationStore.Row r = new InvitationStore.Row(
                    UUID.randomUUID(),
                    in.organizationId(),
                    target,
                    in.email(),
                    from,
                    in.roles(),
                    tx.now().plus(VALIDITY));
            store.insert(tx, r);
            return present(tx, r);
        });
    }

    /** The invitee joins the organization with the invited roles. */
    public void accept(Principal p, UUID id) {
        UUID user = p.ownerId();
        db.write(tx -> {
            InvitationStore.Row r = store.find(tx, id).orElseThrow(() -> ApiError.notFound("invitation"));
            if (!isInvitee(tx, r, user)) {
                throw ApiError.notFound("invitation");
            }
            if (!r.expiresAt().isAfter(tx.now())) {
                throw ApiError.notAllowed("the invitation has expired");
            }
            memberships.add(tx, user, r.orgId(), r.roles());
            store.delete(tx, r);
            return null;
        });
    }

    public void delete(Principal p, UUID id) {
        UUID user = p.ownerId();
        db.write(tx -> {
            store.delete(tx, visible(tx, id, user));
            return null;
        });
    }

    private Invitation present(Tx tx, InvitationStore.Row r) throws SQLException {
        return new Invitation(
                r.id(),
                r.userId(),
                r.email(),
                r.orgId(),
                organizations.find(tx, r.orgId()).orElse(null),
                users.find(tx, r.fromId()).orElse(null),
                r.roles(),
                r.expiresAt());
    }

    private boolean isInvitee(Tx tx, InvitationStore.Row r, UUID user) throws SQLException {
        if (user.equals(r.userId())) {
            return true;
        }
        return r.email() != null && users.hasIdentity(tx, user, UserStore.EMAIL, r.email());
    }

    /** The invitation if the user is its invitee or owns its organization, else 404. */
    private InvitationStore.Row visible(Tx tx, UUID id, UUID user) throws SQLException {
        InvitationStore.Row r = store.find(tx, id).orElseThrow(() -> ApiError.notFound("invitation"));
        if (!isInvitee(tx, r, user) && !memberships.isOwner(tx, user, r.orgId())) {
            throw ApiError.notFound("invitation");
        }
        return r;
    }
}
