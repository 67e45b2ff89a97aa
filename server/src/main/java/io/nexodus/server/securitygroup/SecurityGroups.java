package io.nexodus.server.securitygroup;

import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.SecurityRule;
import io.nexodus.api.model.UpdateSecurityGroup;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.server.FeatureFlags;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.Tx;
import io.nexodus.server.device.DeviceStore;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.regkey.RegKeyStore;
import io.nexodus.server.vpc.VpcAccess;
import io.nexodus.server.watch.Topics;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * Security groups: read by members of the VPC's organization (and device tokens of that VPC, never registration
 * keys); created, changed and deleted by its owners, with feature flag {@code security-groups}. Every write takes a
 * revision and signals the VPC's security-group watchers. A VPC's default group has the VPC's id and is deleted only
 * with the VPC.
 */
public final class SecurityGroups {
    private final Database db;
    private final SecurityGroupStore store;
    private final VpcAccess vpcs;
    private final DeviceStore devices;
    private final RegKeyStore regKeys;
    private final FeatureFlags flags;

    public SecurityGroups(
            Database db,
            SecurityGroupStore store,
            VpcAccess vpcs,
            DeviceStore devices,
            RegKeyStore regKeys,
            FeatureFlags flags) {
        this.db = db;
        this.store = store;
        this.vpcs = vpcs;
        this.devices = devices;
        this.regKeys = regKeys;
        this.flags = flags;
    }

    public List<SecurityGroup> list(Principal p) {
        Principal.denyRegKey(p);
        return db.read(tx -> switch (p) {
            case Principal.UserPrincipal u -> store.listForMember(tx, u.userId());
            case Principal.RegKeyPrincipal rk -> List.<SecurityGroup>of();
            case Principal.DevicePrincipal dt -> store.listInVpc(tx, dt.vpcId());
        });
    }

    public SecurityGroup get(Principal p, UUID id) {
        Principal.denyRegKey(p);
        return db.read(tx -> readable(tx, p, id));
    }

    public SecurityGroup create(Principal p, AddSecurityGroup request) {
        flags.require(FeatureFlags.SECURITY_GROUPS);
        AddSecurityGroup in = SecurityGroupRequests.validate(request);
        UUID user = p.ownerId();
        return db.write(tx -> {
            Vpc v = vpcs.owned(tx, user, in.vpcId(), "vpc");
            return insert(
                    tx,
                    UUID.randomUUID(),
                    v.id(),
                    v.organizationId(),
                    in.description(),
                    in.inboundRules(),
                    in.outboundRules());
        });
    }

    public SecurityGroup update(Principal p, UUID id, UpdateSecurityGroup request) {
        flags.require(FeatureFlags.SECURITY_GROUPS);
        UpdateSecurityGroup in = SecurityGroupRequests.validate(request);
        UUID user = p.ownerId();
        return db.write(tx -> {
            SecurityGroup g = readable(tx, p, id);
            vpcs.owned(tx, user, g.vpcId(), "security group");
            store.update(
                    tx,
                    new SecurityGroup(
                            id,
                            in.description() != null ? in.description() : g.description(),
                            g.vpcId(),
                            in.inboundRules() != null ? in.inboundRules() : g.inboundRules(),
                            in.outboundRules() != null ? in.outboundRules() : g.outboundRules(),
                            tx.nextRevision()));
            tx.signal(Topics.of(Watch.KIND_SECURITY_GROUP, g.vpcId()));
            return store.find(tx, id).orElseThrow();
        });
    }

    public SecurityGroup delete(Principal p, UUID id) {
        flags.require(FeatureFlags.SECURITY_GROUPS);
        UUID user = p.ownerId();
        return db.write(tx -> {
            SecurityGroup g = readable(tx, p, id);
            vpcs.owned(tx, user, g.vpcId(), "security group");
            if (g.id().equals(g.vpcId())) {
                throw ApiError.notAllowed("the default security group of a VPC cannot be deleted");
            }
            if (devices.anyInSecurityGroup(tx, id)) {
                throw ApiError.notAllowed("the security group is used by devices");
            }
            regKeys.clearSecurityGroup(tx, id);
            store.softDelete(tx, id, tx.nextRevision());
            tx.signal(Topics.of(Watch.KIND_SECURITY_GROUP, g.vpcId()));
            return g;
        });
    }

    // ---- inside other resources' transactions ----

    /** The group if the principal may read its VPC, else 404. */
    SecurityGroup readable(Tx tx, Principal p, UUID id) throws SQLException {
        SecurityGroup g = store.find(tx, id).orElseThrow(() -> ApiError.notFound("security group"));
        try {
            vpcs.readable(tx, p, g.vpcId());
        } catch (ApiError e) {
            throw ApiError.notFound("security group");
        }
        return g;
    }

    /** Creates a group (a VPC's default group has the VPC's id) and signals its watchers. */
    public SecurityGroup insert(
            Tx tx,
            UUID id,
            UUID vpcId,
            UUID orgId,
            String description,
            List<SecurityRule> inbound,
            List<SecurityRule> outbound)
            throws SQLException {
        SecurityGroup g = new SecurityGroup(id, description, vpcId, inbound, outbound, tx.nextRevision());
        store.insert(tx, g, orgId);
        tx.signal(Topics.of(Watch.KIND_SECURITY_GROUP, vpcId));
        return g;
    }

    /** Soft-deletes every group of a VPC (VPC deletion). */
    public void deleteAllInVpc(Tx tx, UUID vpcId) throws SQLException {
        for (UUID id : store.idsInVpc(tx, vpcId)) {
            store.softDelete(tx, id, tx.nextRevision());
        }
        tx.signal(Topics.of(Watch.KIND_SECURITY_GROUP, vpcId));
    }

    /** 400 on {@code security_group_id} unless the group exists and belongs to the VPC. */
    public void requireInVpc(Tx tx, UUID groupId, UUID vpcId) throws SQLException {
        SecurityGroup g = store.find(tx, groupId)
                .orElseThrow(() -> ApiError.invalid("security_group_id", "no such security group"));
        if (!g.vpcId().equals(vpcId)) {
            throw ApiError.invalid("security_group_id", "the security group belongs to another VPC");
        }
    }
}
