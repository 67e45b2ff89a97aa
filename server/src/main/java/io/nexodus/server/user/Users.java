package io.nexodus.server.user;

import io.nexodus.api.model.Organization;
import io.nexodus.api.model.Roles;
import io.nexodus.api.model.User;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.DatabaseException;
import io.nexodus.server.db.Tx;
import io.nexodus.server.device.DeviceStore;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.invitation.InvitationStore;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.organization.OrganizationStore;
import io.nexodus.server.organization.Organizations;
import io.nexodus.server.regkey.RegKeyStore;
import io.nexodus.server.vpc.Vpcs;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * API users. Provisioned on first sight of an identity-provider subject: the user, its identities (subject, verified
 * e-mail), pending e-mail invitations attached, and its default organization, VPC and security group — all with the
 * user's id, as upstream. Concurrent first requests of one new user are safe (the identity row is unique; the loser
 * reads the winner's user). A user sees only itself, deletes itself (once it has no devices: organizations it alone
 * owns go with it) and leaves organizations; an owner removes members.
 */
public final class Users {
    /** What the identity provider says about the caller. */
    public record Claims(
            String issuer,
            String subject,
            String username,
            String fullName,
            String picture,
            String email,
            boolean emailVerified) {}

    private final Database db;
    private final UserStore store;
    private final Memberships memberships;
    private final OrganizationStore organizationRows;
    private final Organizations organizations;
    private final Vpcs vpcs;
    private final DeviceStore devices;
    private final RegKeyStore regKeys;
    private final InvitationStore invitations;

    public Users(
            Database db,
            UserStore store,
            Memberships memberships,
            OrganizationStore organizationRows,
            Organizations organizations,
            Vpcs vpcs,
            DeviceStore devices,
            RegKeyStore regKeys,
            InvitationStore invitations) {
        this.db = db;
        this.store = store;
        this.memberships = memberships;
        this.organizationRows = organizationRows;
        this.organizations = organizations;
        this.vpcs = vpcs;
        this.devices = devices;
        this.regKeys = regKeys;
        this.invitations = invitations;
    }

    static String identityKind(String issuer) {
        return "oidc:" + issuer;
    }

    /** The caller's user (a list of one). */
    public List<User> list(Principal p) {
        return db.read(tx -> store.find(tx, p.ownerId()).map(List::of).orElse(List.of()));
    }

    /** A user: only the caller's own. */
    public User get(Principal p, UUID id) {
        if (!id.equals(p.ownerId())) {
            throw ApiError.notFound("user");
        }
        return db.read(tx -> store.find(tx, id).orElseThrow(() -> ApiError.notFound("user")));
    }

    /**
     * Deletes the caller's user once it has no devices: organizations it is the last owner of are deleted, it leaves
     * the others; its registration keys, invitations and identities go.
     */
    public User delete(Principal p, UUID id) {
        if (!id.equals(p.ownerId())) {
            throw ApiError.notFound("user");
        }
        return db.write(tx -> {
            User u = store.find(tx, id).orElseThrow(() -> ApiError.notFound("user"));
            tx.lockRevisions();
            if (devices.anyOwnedBy(tx, id)) {
                throw ApiError.notAllowed("delete the user's devices first");
            }
            for (UUID org : memberships.store().organizationsOf(tx, id)) {
                if (memberships.isLastOwner(tx, id, org)) {
                    organizations.delete(tx, org);
                } else {
                    organizations.removeMember(tx, org, id);
                }
            }
            regKeys.deleteOwnedBy(tx, id);
            invitations.deleteInvolving(tx, id);
            store.softDelete(tx, id);
            return u;
        });
    }

    /** The user leaves an organization (itself, as a member), or an owner removes it. */
    public void leave(Principal p, UUID userId, UUID orgId) {
        UUID me = p.ownerId();
        db.write(tx -> {
            if (organizationRows.find(tx, orgId).isEmpty()) {
                throw ApiError.notFound("organization");
            }
            if (!userId.equals(me)) {
                memberships.requireOwner(tx, me, orgId, "organization");
            } else {
                memberships.requireMember(tx, me, orgId, "organization");
            }
            if (!memberships.isMember(tx, userId, orgId)) {
                throw ApiError.notFound("user");
            }
            organizations.leave(tx, orgId, userId);
            return null;
        });
    }

    /** The user for these claims, created with its defaults if new; its profile is refreshed when it changed. */
    public User provision(Claims c) {
        for (int attempt = 0; ; attempt++) {
            Optional<User> found = db.read(tx -> lookup(tx, c));
            if (found.isPresent()) {
                User u = found.get();
                User want = new User(u.id(), username(c), nz(c.fullName()), nz(c.picture()));
                if (!want.equals(u)) {
                    db.write(tx -> {
                        store.updateProfile(tx, want);
                        return null;
                    });
                }
                return want;
            }
            try {
                return db.write(tx -> {
                    Optional<User> again = lookup(tx, c);
                    return again.isPresent() ? again.get() : create(tx, c);
                });
            } catch (DatabaseException e) {
                if (!e.isUniqueViolation() || attempt > 2) {
                    throw e;
                }
                // another request created this user at the same moment: read theirs
            }
        }
    }

    private Optional<User> lookup(Tx tx, Claims c) throws SQLException {
        return store.findByIdentity(tx, identityKind(c.issuer()), c.subject());
    }

    private User create(Tx tx, Claims c) throws SQLException {
        UUID id = UUID.randomUUID();
        String username = username(c);
        User u = new User(id, username, nz(c.fullName()), nz(c.picture()));
        store.insert(tx, u, c.issuer() + "#" + c.subject());
        store.putIdentity(tx, identityKind(c.issuer()), c.subject(), id);
        if (c.email() != null && c.emailVerified()) {
            String email = c.email().strip().toLowerCase(Locale.ROOT);
            if (store.userIdByIdentity(tx, UserStore.EMAIL, email).isEmpty()) {
                store.addIdentity(tx, UserStore.EMAIL, email, id);
                invitations.attachToUser(tx, email, id);
            }
        }
        String orgName = username;
        for (int i = 2; organizationRows.idByName(tx, orgName).isPresent(); i++) {
            orgName = username + "-" + i;
        }
        organizationRows.insert(tx, new Organization(id, orgName, username + "'s organization"));
        memberships.add(tx, id, id, List.of(Roles.OWNER));
        vpcs.insert(tx, id, id, "default vpc", false, Ipam.SHARED_V4, Ipam.SHARED_V6);
        return u;
    }

    private static String username(Claims c) {
        if (c.username() != null && !c.username().isBlank()) {
            return c.username();
        }
        if (c.fullName() != null && !c.fullName().isBlank()) {
            return c.fullName();
        }
        return c.subject();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
