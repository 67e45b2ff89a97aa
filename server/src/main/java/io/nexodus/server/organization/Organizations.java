package io.nexodus.server.organization;

import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Organization;
import io.nexodus.api.model.Roles;
import io.nexodus.api.model.UserOrganization;
import io.nexodus.api.model.Vpc;
import io.nexodus.server.FeatureFlags;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.Tx;
import io.nexodus.server.device.DeviceStore;
import io.nexodus.server.device.Devices;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.invitation.InvitationStore;
import io.nexodus.server.regkey.RegKeyStore;
import io.nexodus.server.vpc.VpcStore;
import io.nexodus.server.vpc.Vpcs;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Organizations: read by members, created by anyone (flag {@code multi-organization}; the creator becomes owner),
 * deleted by owners once no devices are left (not a user's default organization), with their VPCs, registration keys,
 * memberships and invitations. Owners remove members; a member removed or leaving loses its devices and keys in the
 * organization; the last owner cannot leave.
 */
public final class Organizations {
    private final Database db;
    private final OrganizationStore store;
    private final Memberships memberships;
    private final Vpcs vpcs;
    private final VpcStore vpcRows;
    private final Devices devices;
    private final DeviceStore deviceRows;
    private final RegKeyStore regKeys;
    private final InvitationStore invitations;
    private final FeatureFlags flags;

    public Organizations(
            Database db,
            OrganizationStore store,
            Memberships memberships,
            Vpcs vpcs,
            VpcStore vpcRows,
            Devices devices,
            DeviceStore deviceRows,
            RegKeyStore regKeys,
            InvitationStore invitations,
            FeatureFlags flags) {
        this.db = db;
        this.store = store;
        this.memberships = memberships;
        this.vpcs = vpcs;
        this.vpcRows = vpcRows;
        this.devices = devices;
        this.deviceRows = deviceRows;
        this.regKeys = regKeys;
        this.invitations = invitations;
        this.flags = flags;
    }

    /** Organizations the caller belongs to. */
    public List<Organization> list(Principal p) {
        return db.read(tx -> store.listForMember(tx, p.ownerId()));
    }

    public Organization get(Principal p, UUID id) {
        return db.read(tx -> readable(tx, p.ownerId(), id));
    }

    public Organization create(Principal p, AddOrganization request) {
        flags.require(FeatureFlags.MULTI_ORGANIZATION);
        AddOrganization in = OrganizationRequests.validate(request);
        UUID user = p.ownerId();
        return db.write(tx -> {
            Optional<UUID> existing = store.idByName(tx, in.name());
            if (existing.isPresent()) {
                throw ApiError.conflict(existing.get());
            }
            Organization o = new Organization(UUID.randomUUID(), in.name(), in.description());
            store.insert(tx, o);
            memberships.add(tx, user, o.id(), List.of(Roles.OWNER));
            return o;
        });
    }

    public Organization delete(Principal p, UUID id) {
        UUID user = p.ownerId();
        return db.write(tx -> {
            Organization o = store.find(tx, id).orElseThrow(() -> ApiError.notFound("organization"));
            memberships.requireOwner(tx, user, id, "organization");
            if (store.isUsersDefault(tx, id)) {
                throw ApiError.notAllowed("a user's default organization cannot be deleted");
            }
            delete(tx, id);
            return o;
        });
    }

    /** Members and their roles (members may read). */
    public List<UserOrganization> members(Principal p, UUID id) {
        return db.read(tx -> {
            readable(tx, p.ownerId(), id);
            return memberships.store().members(tx, id);
        });
    }

    public UserOrganization member(Principal p, UUID id, UUID userId) {
        return db.read(tx -> {
            readable(tx, p.ownerId(), id);
            return memberships.store().member(tx, id, userId).orElseThrow(() -> ApiError.notFound("user"));
        });
    }

    /** An owner removes another member, with its devices and keys in the organization. */
    public void removeMember(Principal p, UUID id, UUID userId) {
        flags.require(FeatureFlags.MULTI_ORGANIZATION);
        UUID user = p.ownerId();
        db.write(tx -> {
            if (store.find(tx, id).isEmpty()) {
                throw ApiError.notFound("organization");
            }
            memberships.requireOwner(tx, user, id, "organization");
            if (userId.equals(user)) {
                throw ApiError.notAllowed(
                        "owners cannot remove themselves; leave with DELETE /api/users/{id}/organizations/{organization}");
            }
            if (!memberships.isMember(tx, userId, id)) {
                throw ApiError.notFound("user");
            }
            removeMember(tx, id, userId);
            return null;
        });
    }

    // ---- inside other resources' transactions ----

    /** Deletes an organization without devices, with its VPCs, keys, groups, memberships and invitations. */
    public void delete(Tx tx, UUID orgId) throws SQLException {
        tx.lockRevisions();
        if (deviceRows.anyInOrganization(tx, orgId)) {
            throw ApiError.notAllowed("the organization still has devices");
        }
        for (Vpc v : vpcRows.listInOrganization(tx, orgId)) {
            vpcs.delete(tx, v);
        }
        regKeys.deleteAllInOrganization(tx, orgId);
        memberships.store().removeAll(tx, orgId);
        invitations.deleteAllInOrganization(tx, orgId);
        store.softDelete(tx, orgId);
    }

    /** Removes a member and what it owns in the organization: its devices (addresses released) and registration keys. */
    public void removeMember(Tx tx, UUID orgId, UUID userId) throws SQLException {
        tx.lockRevisions();
        for (Device d : deviceRows.listOwnedInOrganization(tx, orgId, userId)) {
            devices.delete(tx, d);
        }
        regKeys.deleteOwnedInOrganization(tx, orgId, userId);
        memberships.store().remove(tx, orgId, userId);
    }

    /** The user leaves the organization (as {@link #removeMember}); the last owner cannot. */
    public void leave(Tx tx, UUID orgId, UUID userId) throws SQLException {
        if (memberships.isLastOwner(tx, userId, orgId)) {
            throw ApiError.notAllowed("the last owner cannot leave the organization");
        }
        removeMember(tx, orgId, userId);
    }

    private Organization readable(Tx tx, UUID user, UUID id) throws SQLException {
        Organization o = store.find(tx, id).orElseThrow(() -> ApiError.notFound("organization"));
        memberships.requireMember(tx, user, id, "organization");
        return o;
    }
}
