package io.nexodus.server.vpc;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.DeviceMetadata;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.UpdateVpc;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Database;
import io.nexodus.server.db.Tx;
import io.nexodus.server.device.Devices;
import io.nexodus.server.http.Access;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.http.Call;
import io.nexodus.server.http.ListReply;
import io.nexodus.server.http.Route;
import io.nexodus.server.ipam.Cidr;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.securitygroup.SecurityGroups;
import io.nexodus.server.watch.Topics;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code /api/vpcs}: read by members of the owning organization (and by RK:/DT: tokens of that VPC), created by
 * members, changed and deleted by owners; plus the per-VPC listings agents use.
 */
public final class VpcRoutes {
    private final Database db;
    private final Ipam ipam;

    public VpcRoutes(Database db, Ipam ipam) {
        this.db = db;
        this.ipam = ipam;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/vpcs")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("List VPCs of the caller's organizations")
                        .listParams()
                        .returns(new TypeReference<List<Vpc>>() {}.getType())
                        .handler(this::list),
                Route.post("/api/vpcs")
                        .tag("VPCs")
                        .status(201)
                        .summary("Create a VPC (shared or private CIDR)")
                        .body(AddVpc.class)
                        .returns(Vpc.class)
                        .errors(400, 404)
                        .handler(this::create),
                Route.get("/api/vpcs/{id}")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("Get a VPC")
                        .returns(Vpc.class)
                        .errors(400, 404)
                        .handler(c -> db.read(tx -> Vpcs.readable(tx, c.principal(), c.pathId("id")))),
                Route.patch("/api/vpcs/{id}")
                        .tag("VPCs")
                        .summary("Update a VPC's description (owner)")
                        .body(UpdateVpc.class)
                        .returns(Vpc.class)
                        .errors(400, 403, 404)
                        .handler(this::update),
                Route.delete("/api/vpcs/{id}")
                        .tag("VPCs")
                        .summary("Delete a VPC (owner; not a default VPC; no devices left)")
                        .returns(Vpc.class)
                        .errors(400, 403, 404)
                        .handler(this::delete),
                Route.get("/api/vpcs/{id}/devices")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("Devices of a VPC (no tokens)")
                        .query("gt_revision", "only devices with a greater revision")
                        .listParams()
                        .returns(new TypeReference<List<Device>>() {}.getType())
                        .errors(400, 403, 404)
                        .handler(this::devices),
                Route.get("/api/vpcs/{id}/metadata")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("Metadata of the devices of a VPC")
                        .queryArray("prefix", "keys starting with any of these")
                        .query("key", "exactly this key")
                        .query("gt_revision", "only entries with a greater revision")
                        .returns(new TypeReference<List<DeviceMetadata>>() {}.getType())
                        .errors(400, 403, 404)
                        .handler(this::metadata),
                Route.get("/api/vpcs/{id}/security-groups")
                        .tag("VPCs")
                        .access(Access.AUTHENTICATED)
                        .summary("Security groups of a VPC")
                        .query("gt_revision", "only groups with a greater revision")
                        .listParams()
                        .returns(new TypeReference<List<SecurityGroup>>() {}.getType())
                        .errors(400, 403, 404)
                        .handler(this::securityGroups));
    }

    private Object list(Call c) {
        Principal p = c.principal();
        return ListReply.of(
                db.read(tx -> switch (p) {
                    case Principal.UserPrincipal u ->
                        tx.query(
                                "SELECT " + Vpcs.COLS + " FROM vpcs WHERE deleted_at IS NULL AND organization_id IN ("
                                        + Memberships.MEMBER_ORGS + ") ORDER BY created_at",
                                Vpcs::map,
                                u.userId());
                    case Principal.RegKeyPrincipal rk ->
                        Vpcs.find(tx, rk.vpcId()).map(List::of).orElse(List.of());
                    case Principal.DevicePrincipal dt ->
                        Vpcs.find(tx, dt.vpcId()).map(List::of).orElse(List.of());
                }),
                null);
    }

    private Object create(Call c) {
        AddVpc in = c.body(AddVpc.class);
        if (in.organizationId() == null) {
            throw ApiError.missing("organization_id");
        }
        String v4, v6;
        if (!in.privateCidr()) {
            if (!blank(in.ipv4Cidr())
                    && !Cidr.parse(Ipam.SHARED_V4).toString().equals(canonical(in.ipv4Cidr(), "ipv4_cidr", false))) {
                throw ApiError.invalid(
                        "ipv4_cidr",
                        "a shared-CIDR VPC uses " + Ipam.SHARED_V4 + "; set private_cidr to choose another");
            }
            if (!blank(in.ipv6Cidr())
                    && !Cidr.parse(Ipam.SHARED_V6).toString().equals(canonical(in.ipv6Cidr(), "ipv6_cidr", true))) {
                throw ApiError.invalid(
                        "ipv6_cidr",
                        "a shared-CIDR VPC uses " + Ipam.SHARED_V6 + "; set private_cidr to choose another");
            }
            v4 = Ipam.SHARED_V4;
            v6 = Ipam.SHARED_V6;
        } else {
            if (blank(in.ipv4Cidr())) {
                throw ApiError.missing("ipv4_cidr");
            }
            v4 = canonical(in.ipv4Cidr(), "ipv4_cidr", false);
            if (Cidr.parse(v4).prefixLength() > 30) {
                throw ApiError.invalid("ipv4_cidr", "prefix too small (at most /30)");
            }
            v6 = blank(in.ipv6Cidr()) ? ipam.randomUla64() : canonical(in.ipv6Cidr(), "ipv6_cidr", true);
            if (Cidr.parse(v6).prefixLength() > 120) {
                throw ApiError.invalid("ipv6_cidr", "prefix too small (at most /120)");
            }
        }
        UUID user = c.principal().ownerId();
        return db.write(tx -> {
            if (!tx.exists("SELECT 1 FROM organizations WHERE id = ? AND deleted_at IS NULL", in.organizationId())) {
                throw ApiError.notFound("organization");
            }
            Memberships.requireMember(tx, user, in.organizationId(), "organization");
            return Vpcs.insert(
                    tx,
                    ipam,
                    UUID.randomUUID(),
                    in.organizationId(),
                    in.description() == null ? "" : in.description(),
                    in.privateCidr(),
                    v4,
                    v6);
        });
    }

    private Object update(Call c) {
        UUID id = c.pathId("id");
        UpdateVpc in = c.body(UpdateVpc.class);
        UUID user = c.principal().ownerId();
        return db.write(tx -> {
            Vpc v = Vpcs.find(tx, id).orElseThrow(() -> ApiError.notFound("vpc"));
            Memberships.requireOwner(tx, user, v.organizationId(), "vpc");
            if (in.description() != null) {
                tx.update(
                        "UPDATE vpcs SET description = ?, revision = ?, updated_at = ? WHERE id = ?",
                        in.description(),
                        tx.nextRevision(),
                        tx.now(),
                        id);
                tx.signal(Topics.of(Watch.KIND_VPC, id));
            }
            return Vpcs.find(tx, id).orElseThrow();
        });
    }

    private Object delete(Call c) {
        UUID id = c.pathId("id");
        UUID user = c.principal().ownerId();
        return db.write(tx -> {
            Vpc v = Vpcs.find(tx, id).orElseThrow(() -> ApiError.notFound("vpc"));
            Memberships.requireOwner(tx, user, v.organizationId(), "vpc");
            if (v.id().equals(v.organizationId())) {
                throw ApiError.notAllowed("the default VPC cannot be deleted");
            }
            deleteVpc(tx, ipam, v);
            return v;
        });
    }

    /** Deletes a VPC without devices: its registration keys, security groups and private pools go with it. */
    public static void deleteVpc(Tx tx, Ipam ipam, Vpc v) throws SQLException {
        tx.lockRevisions();
        if (tx.exists("SELECT 1 FROM devices WHERE vpc_id = ? AND deleted_at IS NULL", v.id())) {
            throw ApiError.notAllowed("the VPC still has devices");
        }
        tx.update(
                "UPDATE reg_keys SET deleted_at = ?, token_hash = NULL WHERE vpc_id = ? AND deleted_at IS NULL",
                tx.now(),
                v.id());
        SecurityGroups.deleteAllInVpc(tx, v.id());
        if (v.privateCidr()) {
            ipam.dropPools(tx, v.id());
        }
        tx.update("DELETE FROM advertised_cidrs WHERE vpc_id = ?", v.id());
        tx.update("UPDATE vpcs SET deleted_at = ?, revision = ? WHERE id = ?", tx.now(), tx.nextRevision(), v.id());
        tx.signal(Topics.of(Watch.KIND_VPC, v.id()));
    }

    private Object devices(Call c) {
        noRegKey(c);
        UUID id = c.pathId("id");
        long gt = gtRevision(c);
        return ListReply.of(
                db.read(tx -> {
                    Vpcs.readable(tx, c.principal(), id);
                    return tx.query(
                            "SELECT " + Devices.COLS
                                    + " FROM devices WHERE vpc_id = ? AND deleted_at IS NULL AND revision > ? ORDER BY revision",
                            Devices::map,
                            id,
                            gt);
                }),
                null);
    }

    private Object metadata(Call c) {
        noRegKey(c);
        UUID id = c.pathId("id");
        long gt = gtRevision(c);
        List<String> prefixes = c.queryAll("prefix");
        String key = c.query("key").orElse(null);
        return db.read(tx -> {
            Vpcs.readable(tx, c.principal(), id);
            List<DeviceMetadata> all = tx.query(
                    "SELECT " + Devices.META_COLS
                            + " FROM device_metadata WHERE vpc_id = ? AND deleted_at IS NULL AND revision > ? ORDER BY revision",
                    Devices::mapMetadata,
                    id,
                    gt);
            List<DeviceMetadata> out = new ArrayList<>();
            for (DeviceMetadata m : all) {
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

    private Object securityGroups(Call c) {
        noRegKey(c);
        UUID id = c.pathId("id");
        long gt = gtRevision(c);
        return ListReply.of(
                db.read(tx -> {
                    Vpcs.readable(tx, c.principal(), id);
                    return tx.query(
                            "SELECT " + SecurityGroups.COLS
                                    + " FROM security_groups WHERE vpc_id = ? AND deleted_at IS NULL AND revision > ? ORDER BY revision",
                            SecurityGroups::map,
                            id,
                            gt);
                }),
                null);
    }

    /** Registration keys may read their VPC itself, not what is in it. */
    static void noRegKey(Call c) {
        if (c.principal() instanceof Principal.RegKeyPrincipal) {
            throw ApiError.forbidden("not allowed with a registration key");
        }
    }

    private static long gtRevision(Call c) {
        try {
            return c.query("gt_revision").map(Long::parseLong).orElse(0L);
        } catch (NumberFormatException e) {
            throw ApiError.invalid("gt_revision", "not a number");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String canonical(String cidr, String field, boolean v6) {
        try {
            Cidr c = Cidr.parse(cidr);
            if (c.v6() != v6) {
                throw new IllegalArgumentException("expected an " + (v6 ? "IPv6" : "IPv4") + " CIDR");
            }
            return c.toString();
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(field, e.getMessage());
        }
    }
}
