package io.nexodus.server.securitygroup;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.SecurityGroup;
import io.nexodus.api.model.SecurityRule;
import io.nexodus.server.auth.MembershipStore;
import io.nexodus.server.db.Cols;
import io.nexodus.server.db.JsonText;
import io.nexodus.server.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The SQL of security groups ({@code security_groups}; rules are JSON text). Queries skip deleted groups. */
public final class SecurityGroupStore {
    /** The columns {@link #map} reads (the watch feed reads them too). */
    public static final String COLS =
            "id, vpc_id, organization_id, description, inbound_rules, outbound_rules, revision, deleted_at";

    private static final TypeReference<List<SecurityRule>> RULES = new TypeReference<>() {};

    public static SecurityGroup map(ResultSet rs) throws SQLException {
        return new SecurityGroup(
                Cols.uuid(rs, "id"),
                rs.getString("description"),
                Cols.uuid(rs, "vpc_id"),
                JsonText.read(rs.getString("inbound_rules"), RULES),
                JsonText.read(rs.getString("outbound_rules"), RULES),
                rs.getLong("revision"));
    }

    public Optional<SecurityGroup> find(Tx tx, UUID id) throws SQLException {
        return tx.queryOne(
                "SELECT " + COLS + " FROM security_groups WHERE id = ? AND deleted_at IS NULL",
                SecurityGroupStore::map,
                id);
    }

    /** Groups of the organizations the user belongs to, oldest first. */
    public List<SecurityGroup> listForMember(Tx tx, UUID userId) throws SQLException {
        return tx.query(
                "SELECT " + COLS + " FROM security_groups WHERE deleted_at IS NULL AND organization_id IN ("
                        + MembershipStore.MEMBER_ORGS + ") ORDER BY created_at",
                SecurityGroupStore::map,
                userId);
    }

    public List<SecurityGroup> listInVpc(Tx tx, UUID vpcId) throws SQLException {
        return tx.query(
                "SELECT " + COLS + " FROM security_groups WHERE deleted_at IS NULL AND vpc_id = ?",
                SecurityGroupStore::map,
                vpcId);
    }

    /** Groups of a VPC with a revision above {@code gtRevision}, in revision order. */
    public List<SecurityGroup> listInVpcAbove(Tx tx, UUID vpcId, long gtRevision) throws SQLException {
        return tx.query(
                "SELECT " + COLS
                        + " FROM security_groups WHERE vpc_id = ? AND deleted_at IS NULL AND revision > ? ORDER BY revision",
                SecurityGroupStore::map,
                vpcId,
                gtRevision);
    }

    public List<UUID> idsInVpc(Tx tx, UUID vpcId) throws SQLException {
        return tx.query(
                "SELECT id FROM security_groups WHERE vpc_id = ? AND deleted_at IS NULL",
                rs -> Cols.uuid(rs, "id"),
                vpcId);
    }

    public void insert(Tx tx, SecurityGroup g, UUID orgId) throws SQLException {
        tx.update(
                "INSERT INTO security_groups (id, vpc_id, organization_id, description, inbound_rules, outbound_rules, revision, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                g.id(),
                g.vpcId(),
                orgId,
                g.description(),
                JsonText.write(g.inboundRules()),
                JsonText.write(g.outboundRules()),
                g.revision(),
                tx.now(),
                tx.now());
    }

    /** Writes the group's description, rules and revision. */
    public void update(Tx tx, SecurityGroup g) throws SQLException {
        tx.update(
                "UPDATE security_groups SET description = ?, inbound_rules = ?, outbound_rules = ?, revision = ?, updated_at = ? WHERE id = ?",
                g.description(),
                JsonText.write(g.inboundRules()),
                JsonText.write(g.outboundRules()),
                g.revision(),
                tx.now(),
                g.id());
    }

    public void softDelete(Tx tx, UUID id, long revision) throws SQLException {
        tx.update("UPDATE security_groups SET deleted_at = ?, revision = ? WHERE id = ?", tx.now(), revision, id);
    }
}
