package io.nexodus.server.vpc;

import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.server.auth.Memberships;
import io.nexodus.server.auth.Principal;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Tx;
import io.nexodus.server.http.ApiError;
import io.nexodus.server.ipam.Cidr;
import io.nexodus.server.ipam.Ipam;
import io.nexodus.server.securitygroup.SecurityGroups;
import io.nexodus.server.watch.Topics;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** VPC rows: mapping, creation (with address pools and the default security group) and read access checks. */
public final class Vpcs {
    public static final String COLS =
            "id, organization_id, description, private_cidr, ipv4_cidr, ipv6_cidr, revision, deleted_at";

    private Vpcs() {}

    public static Vpc map(ResultSet rs) throws SQLException {
        return new Vpc(
                Cols.uuid(rs, "id"),
                Cols.uuid(rs, "organization_id"),
                rs.getString("description"),
                rs.getBoolean("private_cidr"),
                rs.getString("ipv4_cidr"),
                rs.getString("ipv6_cidr"),
                rs.getLong("revision"));
    }

    public static Optional<Vpc> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne("SELECT " + COLS + " FROM vpcs WHERE id = ? AND deleted_at IS NULL", Vpcs::map, id);
    }

    /** The VPC if the principal may read it, else 404 (users: org members; RK:/DT: only their own VPC). */
    public static Vpc readable(Tx tx, Principal p, UUID id) throws SQLException {
        Vpc v = find(tx, id).orElseThrow(() -> ApiError.notFound("vpc"));
        switch (p) {
            case Principal.UserPrincipal u -> Memberships.requireMember(tx, u.userId(), v.organizationId(), "vpc");
            case Principal.RegKeyPrincipal rk -> {
                if (!rk.vpcId().equals(id)) {
                    throw ApiError.notFound("vpc");
                }
            }
            case Principal.DevicePrincipal dt -> {
                if (!dt.vpcId().equals(id)) {
                    throw ApiError.notFound("vpc");
                }
            }
        }
        return v;
    }

    /** Creates a VPC, its address pools (private CIDR) and its default security group (id = VPC id). */
    public static Vpc insert(
            Tx tx, Ipam ipam, UUID id, UUID orgId, String description, boolean privateCidr, String v4, String v6)
            throws SQLException {
        long rev = tx.nextRevision();
        tx.update(
                "INSERT INTO vpcs (id, organization_id, description, private_cidr, ipv4_cidr, ipv6_cidr, revision, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                orgId,
                description,
                privateCidr,
                v4,
                v6,
                rev,
                tx.now(),
                tx.now());
        if (privateCidr) {
            ipam.ensurePool(tx, Ipam.privatePoolId(id, false), Cidr.parse(v4));
            ipam.ensurePool(tx, Ipam.privatePoolId(id, true), Cidr.parse(v6));
        }
        SecurityGroups.insert(tx, id, id, orgId, "default vpc security group", List.of(), List.of());
        tx.signal(Topics.of(Watch.KIND_VPC, id));
        return new Vpc(id, orgId, description, privateCidr, v4, v6, rev);
    }

    /** The VPC's tunnel prefixes (v4, v6). */
    public static List<Cidr> prefixes(Vpc v) {
        return List.of(Cidr.parse(v.ipv4Cidr()), Cidr.parse(v.ipv6Cidr()));
    }
}
