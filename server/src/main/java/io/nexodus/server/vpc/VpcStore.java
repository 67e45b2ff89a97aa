package io.nexodus.server.vpc;

import io.nexodus.api.model.Vpc;
import io.nexodus.server.auth.MembershipStore;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The SQL of VPCs ({@code vpcs}). Queries skip deleted VPCs. */
public final class VpcStore {
    /** The columns {@link #map} reads (the watch feed reads them too). */
    public static final String COLS =
            "id, organization_id, description, private_cidr, ipv4_cidr, ipv6_cidr, revision, deleted_at";

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

    public Optional<Vpc> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne("SELECT " + COLS + " FROM vpcs WHERE id = ? AND deleted_at IS NULL", VpcStore::map, id);
    }

    /** VPCs of the organizations the user belongs to, oldest first. */
    public List<Vpc> listForMember(Tx tx, UUID userId) throws SQLException {
        return tx.query(
                "SELECT " + COLS + " FROM vpcs WHERE deleted_at IS NULL AND organization_id IN ("
                        + MembershipStore.MEMBER_ORGS + ") ORDER BY created_at",
                VpcStore::map,
                userId);
    }

    public List<Vpc> listInOrganization(Tx tx, UUID orgId) throws SQLException {
        return tx.query(
                "SELECT " + COLS + " FROM vpcs WHERE organization_id = ? AND deleted_at IS NULL", VpcStore::map, orgId);
    }

    public void insert(Tx tx, Vpc v) throws SQLException {
        tx.update(
                "INSERT INTO vpcs (id, organization_id, description, private_cidr, ipv4_cidr, ipv6_cidr, revision, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                v.id(),
                v.organizationId(),
                v.description(),
                v.privateCidr(),
                v.ipv4Cidr(),
                v.ipv6Cidr(),
                v.revision(),
                tx.now(),
                tx.now());
    }

    public void updateDescription(Tx tx, UUID id, String description, long revision) throws SQLException {
        tx.update(
                "UPDATE vpcs SET description = ?, revision = ?, updated_at = ? WHERE id = ?",
                description,
                revision,
                tx.now(),
                id);
    }

    public void softDelete(Tx tx, UUID id, long revision) throws SQLException {
        tx.update("UPDATE vpcs SET deleted_at = ?, revision = ? WHERE id = ?", tx.now(), revision, id);
    }
}
