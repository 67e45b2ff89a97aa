package io.nexodus.server.vpc;

import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.Notice;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.UpdateVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.Tx;
import io.nexodus.server.device.DeviceStore;
import io.nexodus.server.device.MetadataStore;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.ipam.AddressRanges;
import io.nexodus.server.ipam.Cidr;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.organization.OrganizationStore;
import io.nexodus.server.regkey.RegKeyStore;
import io.nexodus.server.securitygroup.SecurityGroupStore;
import io.nexodus.server.securitygroup.SecurityGroups;
import io.nexodus.server.watch.Topics;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * VPCs: read by members of the owning organization (and by the {@code RK:}/{@code DT:} tokens of that VPC), created by
 * members, changed and deleted by owners; plus the per-VPC listings agents use. A VPC is created with its address
 * pools (private CIDR) and its default security group; it is deleted only without devices, with its registration
 * keys, security groups and pools. Writes take a revision and signal the VPC's watchers.
 */
public final class Vpcs {
    private final Database db;
    private final VpcStore store;
    private final VpcAccess access;
    private final Memberships memberships;
    private final Ipam ipam;
    private final SecurityGroups groups;
    private final OrganizationStore organizations;
    private final DeviceStore devices;
    private final MetadataStore metadata;
    private final SecurityGroupStore groupRows;
    private final RegKeyStore regKeys;

    public Vpcs(
            Database db,
            VpcStore store,
            VpcAccess access,
            Memberships memberships,
            Ipam ipam,
            SecurityGroups groups,
            OrganizationStore organizations,
            DeviceStore devices,
            MetadataStore metadata,
            SecurityGroupStore groupRows,
            RegKeyStore regKeys) {
        this.db = db;
        this.store = store;
        this.access = access;
        this.memberships = memberships;
        this.ipam = ipam;
        this.groups = groups;
        this.organizations = organizations;
        this.devices = devices;
        this.metadata = metadata;
        this.groupRows = groupRows;
        this.regKeys = regKeys;
    }

    public List<Vpc> list(Principal p) {
        return db.read(tx -> switch (p) {
            case Principal.UserPrincipal u -> store.listForMember(tx, u.userId());
            case Principal.RegKeyPrincipal rk ->
                store.find(tx, rk.vpcId()).map(List::of).orElse(List.of());
            case Principal.DevicePrincipal dt ->
                store.find(tx, dt.vpcId()).map(List::of).orElse(List.of());
        });
    }

    public Vpc get(Principal p, UUID id) {
        return db.read(tx -> access.readable(tx, p, id));
    }

    public Vpc create(Principal p, AddVpc request) {
        AddVpc in = VpcRequests.validate(request);
        String v6 = in.ipv6Cidr() != null ? in.ipv6Cidr() : ipam.randomUla64();
        UUID user = p.ownerId();
        return db.write(tx -> {
            if (organizations.find(tx, in.organizationId()).isEmpty()) {
                throw ApiError.notFound("organization");
            }
            memberships.requireMember(tx, user, in.organizationId(), "organization");
            List<String> warnings = in.privateCidr()
                    ? AddressRanges.warnings(Cidr.parse(in.ipv4Cidr()), Cidr.parse(v6), store.listForMember(tx, user))
                    : List.of();
            return insert(
                            tx,
                            UUID.randomUUID(),
                            in.organizationId(),
                            in.description(),
                            in.privateCidr(),
                            in.ipv4Cidr(),
                            v6)
                    .withWarnings(warnings);
        });
    }

    /** Changes the description (owners). */
    public Vpc update(Principal p, UUID id, UpdateVpc in) {
        UUID user = p.ownerId();
        return db.write(tx -> {
            Vpc v = access.owned(tx, user, id, "vpc");
            if (in.description() != null) {
                store.updateDescription(tx, id, in.description(), tx.nextRevision());
                tx.signal(Topics.of(Watch.KIND_VPC, id));
                tx.signal(Topics.notice(Notice.VPCS, v.organizationId()));
            }
            return store.find(tx, id).orElseThrow();
        });
    }

    /** Deletes a VPC (owners; not a default VPC; no devices left). */
    public Vpc delete(Principal p, UUID id) {
        UUID user = p.ownerId();
        return db.write(tx -> {
            Vpc v = access.owned(tx, user, id, "vpc");
            if (v.id().equals(v.organizationId())) {
                throw ApiError.notAllowed("the default VPC cannot be deleted");
            }
            delete(tx, v);
            return v;
        });
    }

    // ---- what is in a VPC (agents' listings; not for registration keys) ----

    /** Live devices of the VPC above {@code gtRevision}, in revision order, without tokens. */
    public List<Device> devices(Principal p, UUID id, long gtRevision) {
        Principal.denyRegKey(p);
        return db.read(tx -> {
            access.readable(tx, p, id);
            return devices.listInVpcAbove(tx, id, gtRevision);
        });
    }

    /** Live metadata of the VPC's devices above {@code gtRevision}: exactly {@code key} if given, any of the prefixes. */
    public List<DeviceMetadata> metadata(Principal p, UUID id, long gtRevision, List<String> prefixes, String key) {
        Principal.denyRegKey(p);
        return db.read(tx -> {
            access.readable(tx, p, id);
            List<DeviceMetadata> out = new ArrayList<>();
            for (DeviceMetadata m : metadata.listInVpcAbove(tx, id, gtRevision)) {
                if (key != null && !key.equals(m.key())) {
                    continue;
                }
                if (!prefixes.isEmpty() && prefixes.stream().noneMatch(m.key()::startsWith)) {
                    continue;
                }
                out.add(m);
            }
            return out;
        });
    }

    public List<SecurityGroup> securityGroups(Principal p, UUID id, long gtRevision) {
        Principal.denyRegKey(p);
        return db.read(tx -> {
            access.readable(tx, p, id);
            return groupRows.listInVpcAbove(tx, id, gtRevision);
        });
    }

    // ---- inside other resources' transactions ----

    /** Creates a VPC, its address pools (private CIDR) and its default security group (id = VPC id). */
    public Vpc insert(Tx tx, UUID id, UUID orgId, String description, boolean privateCidr, String v4, String v6)
            throws SQLException {
        Vpc v = new Vpc(id, orgId, description, privateCidr, v4, v6, tx.nextRevision());
        store.insert(tx, v);
        if (privateCidr) {
            ipam.ensurePool(tx, Ipam.privatePoolId(id, false), Cidr.parse(v4));
            ipam.ensurePool(tx, Ipam.privatePoolId(id, true), Cidr.parse(v6));
        }
        groups.insert(tx, id, id, orgId, "default vpc security group", List.of(), List.of());
        tx.signal(Topics.of(Watch.KIND_VPC, id));
        tx.signal(Topics.notice(Notice.VPCS, orgId));
        return v;
    }

    /** Deletes a VPC without devices: its registration keys, security groups and private pools go with it. */
    public void delete(Tx tx, Vpc v) throws SQLException {
        tx.lockRevisions();
        if (devices.anyInVpc(tx, v.id())) {
            throw ApiError.notAllowed("the VPC still has devices");
        }
        regKeys.deleteAllInVpc(tx, v.id());
        tx.signal(Topics.notice(Notice.REG_KEYS, v.organizationId()));
        groups.deleteAllInVpc(tx, v.id());
        if (v.privateCidr()) {
            ipam.dropPools(tx, v.id());
        }
        ipam.dropAdvertised(tx, v.id());
        store.softDelete(tx, v.id(), tx.nextRevision());
        tx.signal(Topics.of(Watch.KIND_VPC, v.id()));
        tx.signal(Topics.notice(Notice.VPCS, v.organizationId()));
    }

    /** The VPC's tunnel prefixes (v4, v6). */
    public static List<Cidr> prefixes(Vpc v) {
        return List.of(Cidr.parse(v.ipv4Cidr()), Cidr.parse(v.ipv6Cidr()));
    }
}
